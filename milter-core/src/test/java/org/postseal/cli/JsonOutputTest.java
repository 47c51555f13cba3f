package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonOutputTest {

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void write_indentsByTwoSpacesWithOneElementPerLine() {
    String json = JsonOutput.write(map("keys", List.of(), "problems", List.of("a", "b"), "dns", map(),
        "revocable_at", null, "bits", 2048, "revocable", true));

    assertThat(json).isEqualTo("""
        {
          "keys": [],
          "problems": [
            "a",
            "b"
          ],
          "dns": {},
          "revocable_at": null,
          "bits": 2048,
          "revocable": true
        }
        """);
  }

  @Test
  void write_escapesStringsSoTheyParseBackUnchanged() throws Exception {
    String tricky = "quote \" backslash \\ tab \t newline \n control \u0001 non-ASCII é";

    JsonNode parsed = new ObjectMapper().readTree(JsonOutput.write(map("note", tricky)));

    assertThat(parsed.get("note").asText()).isEqualTo(tricky);
  }

  @Test
  void write_refusesAFieldNameThatIsNotSnakeCase_evenDeepInside() {
    for (String name : List.of("smtpReply", "Smtp_reply", "smtp-reply", "smtp__reply", "_smtp", "smtp_", "")) {
      assertThatThrownBy(() -> JsonOutput.write(map("reports", List.of(map("ok", 1), map(name, 1)))))
          .as(name).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("JSON field /reports/1/" + name + " is not snake_case (lower-case words joined by \"_\"), as"
              + " every --json output of postseal is");
    }
    assertThat(JsonOutput.write(map("zone_text", 1, "ip", 2, "rfc5322_from", 3))).contains("\"rfc5322_from\": 3");
  }

  @Test
  void write_takesAListAsTheTopLevelValue() throws Exception {
    JsonNode parsed = new ObjectMapper().readTree(JsonOutput.write(Arrays.asList(map("file", "a.eml"), null)));

    assertThat(parsed.isArray()).isTrue();
    assertThat(parsed.get(0).get("file").asText()).isEqualTo("a.eml");
    assertThat(parsed.get(1).isNull()).isTrue();
  }
}
