package org.postseal.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference file shipped in packaging lists every key the loader knows, with its default, and nothing else;
 * a key whose feature is not built appears only as a comment ("# key = default"), so the installed file never
 * sets one.
 */
class ReferenceConfigTest {

  /** Surefire runs in the module directory. */
  static final Path REFERENCE = Path.of("../packaging/src/main/app/etc/postseal.toml");

  @Test
  void referenceFileValidatesAndCarriesTheDefaults() {
    ConfigResult result = new ConfigLoader(Path.of("/nonexistent"), () -> "host.example").loadFile(REFERENCE);
    assertThat(result).as("%s", result).isInstanceOf(ConfigResult.Valid.class);
    PostsealConfig fromFile = ((ConfigResult.Valid) result).config();
    PostsealConfig defaults = ((ConfigResult.Valid) new ConfigLoader(Path.of("/nonexistent"), () -> "host.example")
        .parse("listen-public = false\n", "defaults")).config();
    assertThat(fromFile).isEqualTo(defaults);
  }

  @Test
  void referenceFileHasNoErrors() {
    assertThat(new ConfigLoader().validate(REFERENCE)).isEmpty();
  }

  @Test
  void referenceFileListsExactlyTheKeysTheLoaderKnows() throws IOException {
    JsonNode root = new TomlMapper().readTree(Files.readString(REFERENCE));
    List<String> inFile = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isObject()) {
        field.getValue().fieldNames().forEachRemaining(k -> inFile.add(field.getKey() + "." + k));
      } else {
        inFile.add(field.getKey());
      }
    }
    List<String> built = new ArrayList<>(ConfigLoader.knownKeys());
    built.removeAll(ConfigLoader.unbuiltKeys());
    assertThat(inFile).containsExactlyElementsOf(built);
  }

  @Test
  void keysWhoseFeatureIsNotBuiltAreCommentedOutWithTheirDefault() throws IOException {
    List<String> lines = Files.readAllLines(REFERENCE);
    // web.listen was the last (issue 16 built the page); a key added before its feature is listed here again
    assertThat(ConfigLoader.unbuiltKeys()).isEmpty();
    String section = "";
    List<String> commented = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.matches("^\\[[a-z]+]$")) {
        section = line.substring(1, line.length() - 1) + ".";
      } else if (line.matches("^# [a-z-]+ = .*")) {
        String key = section + line.substring(2, line.indexOf(" = "));
        commented.add(key);
        assertThat(lines.get(i - 1)).as("comment above line %d", i + 1).startsWith("# Not in this release: ");
        // the commented line is a valid setting: uncommented as it is, the file still loads
        String uncommented = String.join("\n", lines.subList(0, i)) + "\n" + line.substring(2) + "\n";
        assertThat(new ConfigLoader(Path.of("/nonexistent"), () -> "host.example").parse(uncommented, "uncommented"))
            .as("%s uncommented", key).isInstanceOf(ConfigResult.Valid.class);
      }
    }
    assertThat(commented).containsExactlyInAnyOrderElementsOf(ConfigLoader.unbuiltKeys());
  }

  @Test
  void everyKeyInTheReferenceFileHasAOneLineCommentAboveIt() throws IOException {
    List<String> lines = Files.readAllLines(REFERENCE);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.matches("^#? ?[a-z-]+ = .*")) {
        assertThat(lines.get(i - 1)).as("comment above line %d: %s", i + 1, line).startsWith("# ");
      }
    }
  }
}
