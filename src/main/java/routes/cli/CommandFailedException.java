package routes.cli;

/** A command that could not do what was asked; its message is the one line the operator sees (exit 1). */
public class CommandFailedException extends RuntimeException {

    public CommandFailedException(String message) {
        super(message);
    }
}
