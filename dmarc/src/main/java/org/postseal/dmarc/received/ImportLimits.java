package org.postseal.dmarc.received;

/**
 * How much one received file may make us hold and read: reports come from anyone who can mail our rua address.
 * A file over a limit is refused whole.
 *
 * <p>The defaults leave room for real reports: the largest sample here, a day of a busy domain from one receiver,
 * is 0.9 MB of XML with over 1,900 records; it compresses 102 times with gzip -9 (the same record, over and over),
 * the other samples 2 to 45 times. Deflate cannot do better than about 1,030 times: a gzip or zip bomb of zeros
 * does that, and is refused after its first 400 times the compressed size. Whatever the ratio, no file
 * decompresses to more than 64 MiB.
 *
 * @param maxInputBytes        the file as given (message, archive or XML)
 * @param maxXmlBytes          the XML after decompression
 * @param maxRatio             decompressed bytes per compressed byte, counted while decompressing
 * @param maxRecords           record elements in one report
 * @param maxElementChars      characters of text in one element (a comment, an org_name)
 * @param maxElements          elements in one document
 * @param maxDepth             nesting of elements
 * @param maxArchiveEntries    entries in one zip file, and attachments in one message
 */
public record ImportLimits(long maxInputBytes, long maxXmlBytes, int maxRatio, int maxRecords, int maxElementChars,
                           int maxElements, int maxDepth, int maxArchiveEntries) {

  public static final ImportLimits DEFAULTS = new ImportLimits(32L << 20, 64L << 20, 400, 100_000, 8_192, 4_000_000,
      16, 16);

  public ImportLimits {
    if (maxInputBytes < 1 || maxXmlBytes < 1 || maxRatio < 1 || maxRecords < 1 || maxElementChars < 1
        || maxElements < 1 || maxDepth < 4 || maxArchiveEntries < 1) {
      throw new IllegalArgumentException("import limits must be positive (depth at least 4)");
    }
  }
}
