package org.postseal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one JSON writer of the command line: every {@code --json} output ({@code check}, {@code doctor},
 * {@code keys list}) is a tree of maps, lists, strings, numbers, booleans and nulls that {@link #write} prints.
 *
 * <p>Field names are snake_case (lower-case words joined by "_", e.g. {@code revocable_at}), the style of the
 * DMARC aggregate report schema ({@code header_from}, {@code policy_evaluated}) that report output follows. A
 * name in another style is a programming error and is refused here, so that no output drifts from the others.
 * Output is indented by two spaces, one array element per line, and ends with a newline.
 */
final class JsonOutput {

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter WRITER = MAPPER.writer(prettyPrinter());

  private JsonOutput() {
  }

  /**
   * {@code value} as indented JSON text.
   *
   * @throws IllegalArgumentException when a field name is not snake_case, or a value has no JSON form
   */
  static String write(Object value) {
    JsonNode tree = MAPPER.valueToTree(value);
    requireSnakeCase(tree, "");
    try {
      return WRITER.writeValueAsString(tree) + "\n";
    } catch (JsonProcessingException e) {
      // a tree of plain JSON nodes always serializes
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static void requireSnakeCase(JsonNode node, String path) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!SNAKE_CASE.matcher(field.getKey()).matches()) {
          throw new IllegalArgumentException("JSON field " + path + "/" + field.getKey() + " is not snake_case"
              + " (lower-case words joined by \"_\"), as every --json output of postseal is");
        }
        requireSnakeCase(field.getValue(), path + "/" + field.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        requireSnakeCase(node.get(i), path + "/" + i);
      }
    }
  }

  /** {@code "name": value} with two-space indents and "\n" on every platform; empty arrays and objects as [] and {}. */
  private static DefaultPrettyPrinter prettyPrinter() {
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator("");
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    return printer;
  }
}
