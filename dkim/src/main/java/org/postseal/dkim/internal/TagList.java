package org.postseal.dkim.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.james.jdkim.parser.DKIMQuotedPrintable;
import org.apache.james.jdkim.tagvalue.TagValue;

/**
 * A parsed RFC 6376 section 3.2 tag-list ({@code tag=value; ...}), as used by DKIM-Signature fields and
 * key records. Syntax is checked by jDKIM's {@link TagValue} (tag names, value characters, folding
 * white space, duplicate tags); what the tags mean is decided by the callers. A syntax error is a value
 * ({@link #error()}), never an exception. Immutable.
 */
public final class TagList {

  private static final String DUPLICATE_TAG = "Syntax error (duplicate tag):";

  private final Map<String, String> tags;
  private final String error;

  private TagList(Map<String, String> tags, String error) {
    this.tags = tags;
    this.error = error;
  }

  public static TagList parse(String text) {
    try {
      OrderedTagValue parsed = new OrderedTagValue(text);
      Map<String, String> tags = parsed.asMap();
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        String problem = controlCharacter(tag.getKey(), tag.getValue());
        if (problem != null) {
          return new TagList(Map.of(), problem);
        }
      }
      return new TagList(tags, null);
    } catch (RuntimeException e) {
      // jDKIM reports every syntax problem as IllegalStateException (or an index error on odd input)
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (message.startsWith(DUPLICATE_TAG)) {
        // jDKIM's "Syntax error (duplicate tag): p" in the words an operator fixing the record needs
        message = "the tag " + message.substring(DUPLICATE_TAG.length()).strip()
            + "= appears twice (duplicate tags, RFC 6376 section 3.2)";
      }
      return new TagList(Map.of(), message);
    }
  }

  /**
   * Why {@code value} is no tag-value, or null. jDKIM takes any character but ';' and white space; RFC 6376 section
   * 3.2 allows only VALCHAR (printable characters; UTF-8 beyond ASCII is left to the tags that take it, RFC 8616)
   * and folding white space, so a control character makes the whole tag-list invalid.
   */
  private static String controlCharacter(String tag, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x21 && c != ' ' && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) {
        return String.format("the value of %s= holds the control character 0x%02X (RFC 6376 section 3.2)", tag,
            (int) c);
      }
    }
    return null;
  }

  /** The syntax error, if the text is not a tag-list. */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  public boolean isValid() {
    return error == null;
  }

  /** The value with its surrounding white space removed (inner folding kept), or null when absent. */
  public String value(String tag) {
    return tags.get(tag);
  }

  public boolean has(String tag) {
    return tags.containsKey(tag);
  }

  /** The tags in the order written. */
  public Map<String, String> asMap() {
    return tags;
  }

  /** Decodes DKIM-Quoted-Printable (RFC 6376 section 2.11), as used by i= and z=; empty when malformed. */
  public static Optional<String> decodeQuotedPrintable(String value) {
    try {
      return Optional.of(DKIMQuotedPrintable.dkimQuotedPrintableDecode(value));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** jDKIM's parser, keeping the tags in the order written (a key record's v= must come first). */
  private static final class OrderedTagValue extends TagValue {

    OrderedTagValue(String data) {
      super(data);
    }

    @Override
    protected Map<String, CharSequence> newTagValue() {
      return new LinkedHashMap<>();
    }

    Map<String, String> asMap() {
      Map<String, String> out = new LinkedHashMap<>();
      for (String tag : getTags()) {
        out.put(tag, getValue(tag).toString());
      }
      return Collections.unmodifiableMap(out);
    }
  }
}
