package routes.store;

/** A change to one column: absent (the field is null) leaves it alone, {@code Change.to(null)} clears it. */
public record Change<T>(T value) {
    public static <T> Change<T> to(T value) {
        return new Change<>(value);
    }
}
