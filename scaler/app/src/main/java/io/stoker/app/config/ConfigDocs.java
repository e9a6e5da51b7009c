package io.stoker.app.config;

/** Renders {@code docs/configuration.md} from {@link OperatorConfig#PARAMETERS}. */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# `stoker run` configuration\n\n")
        .append("<!-- Generated from io.stoker.app.config.OperatorConfig by ConfigDocsTest;")
        .append(" do not edit. Regenerate: ./mvnw -f scaler/app/pom.xml test")
        .append(" -Dtest=ConfigDocsTest -Dstoker.docs.update=true -->\n\n")
        .append("Each setting is a flag or an environment variable; a flag wins over the")
        .append(" variable, the variable over the default. Durations are written like `10s`,")
        .append(" `500ms`, `1m30s`.\n\n")
        .append("| Flag | Environment variable | Type | Default | Description |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigParameter<?> p : OperatorConfig.PARAMETERS) {
      b.append("| `")
          .append(p.flag())
          .append("` | `")
          .append(p.env())
          .append("` | ")
          .append(p.type())
          .append(" | ")
          .append(p.defaultValue().isEmpty() ? "(none)" : "`" + p.defaultValue() + "`")
          .append(" | ")
          .append(p.description().replace("|", "\\|"))
          .append(" |\n");
    }
    return b.toString();
  }
}
