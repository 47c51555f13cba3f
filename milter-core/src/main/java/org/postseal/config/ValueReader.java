package org.postseal.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns one TOML value into a Java value, or says what is wrong with it and what is allowed. Readers
 * never throw: a bad value is a {@link Read.Bad}.
 */
@FunctionalInterface
interface ValueReader<T> {

  Read<T> read(JsonNode node);

  /** A value read, or every reason why not (a list can have several bad elements). */
  sealed interface Read<T> {
    record Ok<T>(T value) implements Read<T> {
    }

    record Bad<T>(List<Problem> problems) implements Read<T> {
      public Bad {
        problems = List.copyOf(problems);
        if (problems.isEmpty()) {
          throw new IllegalArgumentException("a bad value needs at least one problem");
        }
      }

      Problem first() {
        return problems.get(0);
      }
    }
  }

  /** What is wrong, naming the value, and what would be accepted. */
  record Problem(String problem, String allowed) {
  }

  static <T> Read<T> ok(T value) {
    return new Read.Ok<>(value);
  }

  static <T> Read<T> bad(String problem, String allowed) {
    return new Read.Bad<>(List.of(new Problem(problem, allowed)));
  }

  /**
   * A string, converted by {@code parse}; an {@link IllegalArgumentException} from {@code parse} is the
   * problem, {@code allowed} the fix.
   */
  static <T> ValueReader<T> text(String allowed, Function<String, T> parse) {
    return node -> {
      if (!node.isTextual()) {
        return bad("must be a string, was " + describe(node), allowed);
      }
      try {
        return ok(parse.apply(node.textValue()));
      } catch (IllegalArgumentException e) {
        return bad(e.getMessage(), allowed);
      }
    };
  }

  static ValueReader<Boolean> bool() {
    return node -> node.isBoolean() ? ok(node.booleanValue())
        : bad("must be true or false, was " + describe(node), "write true or false without quotes");
  }

  static ValueReader<Integer> integer(int min, int max) {
    String allowed = "allowed " + min + ".." + max;
    return node -> {
      if (!node.isIntegralNumber()) {
        return bad("must be a whole number, was " + describe(node), allowed + " (no quotes)");
      }
      if (!node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
        return bad(node.asText() + " is out of range", allowed);
      }
      return ok(node.intValue());
    };
  }

  static ValueReader<Duration> duration(Duration min, Duration max) {
    String allowed = DurationText.ALLOWED + ", from " + DurationText.format(min) + " to " + DurationText.format(max);
    return text(allowed, s -> {
      Duration d = DurationText.parse(s);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException("\"" + s + "\" is out of range");
      }
      return d;
    });
  }

  /** One of {@code choices}, written in lower case. */
  static <E extends Enum<E>> ValueReader<E> choice(Class<E> type, Function<E, String> configValue) {
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add("\"" + configValue.apply(e) + "\"");
    }
    String allowed = "allowed " + String.join(", ", names);
    return text(allowed, s -> {
      for (E e : type.getEnumConstants()) {
        if (configValue.apply(e).equals(s)) {
          return e;
        }
      }
      throw new IllegalArgumentException("\"" + s + "\" is not a choice");
    });
  }

  /** An array whose every element passes {@code element}; duplicates are an error. Every bad element is reported. */
  static <T> ValueReader<List<T>> list(ValueReader<T> element, boolean allowEmpty, String allowedWhenEmpty) {
    return node -> {
      if (!node.isArray()) {
        Read<T> single = element.read(node);
        String hint = single instanceof Read.Ok ? "put it in brackets: [" + node + "]" : "write an array [\"...\", \"...\"]";
        return bad("must be an array, was " + describe(node), hint);
      }
      if (node.isEmpty() && !allowEmpty) {
        return bad("must not be empty", allowedWhenEmpty);
      }
      List<T> values = new ArrayList<>();
      Set<T> seen = new HashSet<>();
      List<Problem> problems = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        Read<T> read = element.read(node.get(i));
        if (read instanceof Read.Bad<T> b) {
          for (Problem p : b.problems()) {
            problems.add(new Problem("element " + (i + 1) + ": " + p.problem(), p.allowed()));
          }
          continue;
        }
        T value = ((Read.Ok<T>) read).value();
        if (!seen.add(value)) {
          problems.add(new Problem("element " + (i + 1) + ": " + node.get(i) + " is listed twice", "list each value once"));
        }
        values.add(value);
      }
      return problems.isEmpty() ? ok(List.copyOf(values)) : new Read.Bad<>(problems);
    };
  }

  /** The value's type and text, for problems: {@code the string "5"}, {@code the number 5}. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "the string " + node;
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    if (node.isBoolean()) {
      return node.asText();
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "a table";
    }
    return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
