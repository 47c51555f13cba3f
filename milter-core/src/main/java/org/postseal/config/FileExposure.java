package org.postseal.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Who else may read what must stay private: the configuration file (it may hold a database password) and the keys
 * (private keys sign mail as our domains). One warning per file or directory opened too wide, each with the chmod
 * that fixes it; {@code serve} logs them at WARN when it starts, {@code config check} and {@code doctor} print them.
 *
 * <p>What is too wide: a configuration file that others (not its group: the package installs it root:postseal 0640)
 * may read, or group or others may write; a keys directory or domain directory with any group or other permission
 * (keygen creates them 0700); a key file with any (keygen writes 0600; {@code serve} refuses such a file anyway).
 */
public final class FileExposure {

  private static final Set<PosixFilePermission> CONFIG_TOO_WIDE = EnumSet.of(PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.GROUP_WRITE);
  private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private FileExposure() {
  }

  /**
   * The warnings for the configuration file {@code configSource} (skipped for the built-in default) and the keys
   * under {@code keysDir}.
   *
   * @param keyFiles whether to look at each key file too ({@code serve} refuses and reports those itself)
   */
  public static List<String> check(String configSource, Path keysDir, boolean keyFiles) {
    List<String> warnings = new ArrayList<>();
    if (!ConfigLoader.EMBEDDED_SOURCE.equals(configSource)) {
      Path file = Path.of(configSource);
      permissions(file).ifPresent(p -> {
        if (!disjoint(p, CONFIG_TOO_WIDE)) {
          warnings.add(file + " is mode " + PosixFilePermissions.toString(p) + ": " + who(p, CONFIG_TOO_WIDE)
              + " the configuration (it may hold the database password); fix: chmod 640 " + file
              + " (owner root, group of the postseal user)");
        }
      });
    }
    if (!Files.isDirectory(keysDir)) {
      return warnings;
    }
    directory(keysDir, warnings);
    try (DirectoryStream<Path> domains = Files.newDirectoryStream(keysDir)) {
      List<Path> sorted = new ArrayList<>();
      domains.forEach(sorted::add);
      sorted.sort(null);
      for (Path domain : sorted) {
        if (!Files.isDirectory(domain, LinkOption.NOFOLLOW_LINKS) || domain.getFileName().toString().startsWith(".")) {
          continue;
        }
        directory(domain, warnings);
        if (keyFiles) {
          keyFiles(domain, warnings);
        }
      }
    } catch (IOException e) {
      // an unlistable keys directory: the key scan says so, with its fix
    }
    return warnings;
  }

  private static void directory(Path dir, List<String> warnings) {
    permissions(dir).ifPresent(p -> {
      if (!disjoint(p, GROUP_OR_OTHER)) {
        warnings.add(dir + " is mode " + PosixFilePermissions.toString(p) + ": " + who(p, GROUP_OR_OTHER)
            + " the private keys' directory; fix: chmod 700 " + dir);
      }
    });
  }

  private static void keyFiles(Path domain, List<String> warnings) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(domain, "*.pem")) {
      List<Path> sorted = new ArrayList<>();
      files.forEach(sorted::add);
      sorted.sort(null);
      for (Path file : sorted) {
        permissions(file).ifPresent(p -> {
          if (!disjoint(p, GROUP_OR_OTHER)) {
            warnings.add(file + " is mode " + PosixFilePermissions.toString(p) + ": " + who(p, GROUP_OR_OTHER)
                + " a private key (serve refuses to sign with it); fix: chmod 600 " + file);
          }
        });
      }
    } catch (IOException e) {
      // the key scan reports it
    }
  }

  /** "group and others can read", "others can read and write", ... */
  private static String who(Set<PosixFilePermission> p, Set<PosixFilePermission> tooWide) {
    boolean group = p.stream().anyMatch(x -> tooWide.contains(x) && x.name().startsWith("GROUP"));
    boolean others = p.stream().anyMatch(x -> tooWide.contains(x) && x.name().startsWith("OTHERS"));
    boolean write = p.stream().anyMatch(x -> tooWide.contains(x) && x.name().endsWith("WRITE"));
    boolean read = p.stream().anyMatch(x -> tooWide.contains(x) && !x.name().endsWith("WRITE"));
    String whom = group && others ? "group and others" : group ? "its group" : "others";
    String what = read && write ? "read and change" : write ? "change" : "read";
    return whom + " can " + what;
  }

  private static boolean disjoint(Set<PosixFilePermission> a, Set<PosixFilePermission> b) {
    return a.stream().noneMatch(b::contains);
  }

  private static java.util.Optional<Set<PosixFilePermission>> permissions(Path path) {
    try {
      return java.util.Optional.of(Files.getPosixFilePermissions(path));
    } catch (IOException | UnsupportedOperationException e) {
      return java.util.Optional.empty();
    }
  }
}
