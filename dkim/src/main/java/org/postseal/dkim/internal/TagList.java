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
      return new TagList(parsed.asMap(), null);
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
