package routes.legacy;

import java.util.List;

/** PLACEHOLDER until the settings-translation branch lands. */
public final class LegacySettings {
    private LegacySettings() {
    }

    public static List<String> translate(LegacyEnv old) {
        return List.of();
    }
}
