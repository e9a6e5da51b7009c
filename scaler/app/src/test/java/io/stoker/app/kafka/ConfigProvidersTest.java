package io.stoker.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.app.commands.RunCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 3, second line of defence: {@code stoker run} sets {@code
 * org.apache.kafka.automatic.config.providers=none} before anything else, so that kafka-clients
 * refuses every config provider even if one reached a client's properties.
 */
class ConfigProvidersTest {
  @Test
  void stokerRunDisablesKafkaConfigProvidersAtStart() throws Exception {
    System.clearProperty(RunCommand.KAFKA_CONFIG_PROVIDERS);
    Path dir = Files.createTempDirectory("provider");
    Files.writeString(dir.resolve("token"), "the-service-account-token", StandardCharsets.UTF_8);
    Map<String, String> hostile =
        Map.of(
            "bootstrap.servers",
            "127.0.0.1:9092",
            "config.providers",
            "dir",
            "config.providers.dir.class",
            DirectoryConfigProvider.class.getName(),
            "client.id",
            "${dir:" + dir + ":token}");
    // Without the setting, kafka-clients resolves the reference: the file's content leaks.
    assertThat(new AdminClientConfig(hostile).getString("client.id"))
        .isEqualTo("the-service-account-token");

    // A bad flag: the command stops at once (exit 2), after the process was hardened.
    assertThat(RunCommand.commandLine().execute("--tick-interval", "soon")).isEqualTo(2);

    assertThat(System.getProperty(RunCommand.KAFKA_CONFIG_PROVIDERS)).isEqualTo("none");
    assertThatThrownBy(() -> new AdminClientConfig(hostile))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not allowed");
  }
}
