package io.stoker.sim;

/**
 * Bad user input (a trace file or a scenario): the message names the file, the line or key, and the
 * problem. The CLI turns it into exit code 2.
 */
public final class InputException extends Exception {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }
}
