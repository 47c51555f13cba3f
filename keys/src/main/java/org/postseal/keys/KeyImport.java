package org.postseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code postseal keys import DOMAIN SELECTOR FILE}: adopts an existing private key (PKCS#1 or PKCS#8 PEM, e.g.
 * from OpenDKIM's KeyTable), stored as a new PKCS#8 file with mode 600; the source file is left as it is. The
 * key is active at once when DNS serves its public key (retiring the active key of its algorithm), else pending
 * like a new key. How an OpenDKIM user migrates without touching DNS.
 */
public final class KeyImport {

  private static final Logger LOG = LoggerFactory.getLogger(KeyImport.class);
  /** Larger than any PEM key we could use, as in {@link KeyDirectory}. */
  private static final long MAX_IMPORT_BYTES = 64 * 1024;

  private final SigningKeyStore store;
  private final KeyCreation creation;
  private final KeyPromotion promotion;
  private final KeyPublicationCheck publication;

  /** @param dns where publication is checked */
  public KeyImport(SigningKeyStore store, DnsSource dns) {
    this.store = Objects.requireNonNull(store, "store");
    this.creation = new KeyCreation(store);
    this.promotion = new KeyPromotion(store);
    this.publication = new KeyPublicationCheck(dns);
  }

  /** Copies the key in {@code file} into the store as {@code selector} of {@code domain}. */
  public KeygenResult importKey(String domain, String selector, Path file) {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(file, "file");
    String pemText;
    try {
      if (Files.size(file) > MAX_IMPORT_BYTES) {
        return KeyRefusal.usage(file + " is " + Files.size(file) + " bytes, too large for a key file; "
            + PrivateKeyPemParser.EXPECTED);
      }
      pemText = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      return KeyRefusal.usage("no file " + file + "; give the private key file to import (PEM)");
    } catch (IOException e) {
      return store.ioRefusal("cannot read " + file, e);
    }
    PrivateKeyPemParser.Parsed parsed = PrivateKeyPemParser.parse(pemText);
    if (parsed instanceof PrivateKeyPemParser.Unusable unusable) {
      return KeyRefusal.usage(file + ": " + unusable.reason());
    }
    PrivateKeyPemParser.Key key = (PrivateKeyPemParser.Key) parsed;
    KeygenResult stored = creation.create(domain, Optional.of(selector),
        (name, entries) -> new KeyCreation.Plan(key.algorithm(), key::privateKey));
    if (!(stored instanceof KeygenResult.Created created)) {
      return stored;
    }
    String storedSelector = created.key().selector();
    PublicationStatus status = publication.checkAll(created.domain(),
        Map.of(storedSelector, DkimPublicKey.of(key.privateKey()))).get(storedSelector);
    KeyEntry entry = created.key();
    Optional<KeyEntry> retired = Optional.empty();
    List<String> notes = new ArrayList<>(created.notes());
    if (status.isMatch()) {
      try {
        KeyPromotion.Promoted promoted = promotion.promote(created.domain(), created.privateKeyFile().getParent(),
            storedSelector);
        if (promoted.activated() != null) {
          entry = promoted.activated();
          retired = promoted.retired();
        } else {
          notes.add("left pending: " + promoted.problem());
        }
      } catch (IOException e) {
        notes.add("left pending: " + store.ioRefusal("cannot record the activation", e).message());
      }
    }
    LOG.info("imported key d={} s={} from {}: {}", created.domain(), entry.selector(), file, entry.state().label());
    return new KeygenResult.Imported(created.domain(), entry, created.record(), file, created.privateKeyFile(),
        created.recordFile(), status, retired, store.retireAfter(), notes);
  }
}
