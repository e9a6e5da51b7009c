package io.stoker.app.capacity;

/**
 * A status condition a capacity feature reports.
 *
 * @param type the condition type, e.g. {@code PlaceholdersReady}
 * @param status true or false
 * @param reason CamelCase reason
 * @param message for a person; names what is missing when something is
 */
public record CapacityCondition(String type, boolean status, String reason, String message) {
  public static final String PLACEHOLDERS_READY = "PlaceholdersReady";
  public static final String CAPACITY_AVAILABLE = "CapacityAvailable";
  public static final String SHUFFLE_PROTECTED = "ShuffleProtected";
}
