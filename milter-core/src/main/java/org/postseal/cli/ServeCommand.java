package org.postseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigLoader;
import org.postseal.config.FileExposure;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.server.PostsealServer;
import org.postseal.systemd.SystemdNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code postseal serve}: runs the milter in the foreground. Prints where it listens on stdout; SIGTERM
 * and SIGINT stop accepting, let messages in flight finish and exit 0; SIGHUP reloads configuration and
 * keys. An invalid configuration (every error printed) or an address it cannot bind exits 1. Under systemd
 * ({@code Type=notify}) it says READY=1 once it listens, RELOADING=1 and READY=1 around a reload, STOPPING=1.
 */
@Command(name = "serve", description = "Run the milter (foreground; logs to stdout).", mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!common.applyLogLevel()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
    }
    ConfigLoader loader = new ConfigLoader();
    ConfigResult result = common.loadConfig(loader);
    if (result instanceof ConfigResult.Invalid invalid) {
      for (ConfigError error : invalid.errors()) {
        err.println(error);
      }
      err.println("postseal: not starting: " + invalid.source() + " has " + invalid.errors().size() + " error"
          + (invalid.errors().size() == 1 ? "" : "s") + " (check with: postseal config check)");
      return Main.EXIT_FAILURE;
    }
    PostsealConfig config = ((ConfigResult.Valid) result).config();
    for (String warning : FileExposure.check(result.source(), config.keysDir(), false)) {
      LOG.warn("security: {}", warning);
    }
    // Signals are taken over before the server binds: a SIGTERM that arrives while it starts (systemd stopping a
    // unit that just started, a script that stops it as soon as the socket appears) must still close the
    // listener, or a unix socket stays behind. The latch remembers it; the server closes as soon as it is up.
    Optional<SystemdNotifier> systemd = SystemdNotifier.fromEnvironment();
    CountDownLatch stop = new CountDownLatch(1);
    AtomicReference<PostsealServer> running = new AtomicReference<>();
    boolean handled = SignalHandling.onSignal("TERM", stop::countDown)
        & SignalHandling.onSignal("INT", stop::countDown);
    SignalHandling.onSignal("HUP", () -> {
      PostsealServer current = running.get();
      if (current == null) {
        LOG.info("SIGHUP while starting: the configuration just read is the one used");
        return;
      }
      LOG.info("SIGHUP: reloading configuration and keys");
      systemd.ifPresent(n -> n.notify("RELOADING=1"));
      boolean accepted = current.reload();
      systemd.ifPresent(n -> n.notify("READY=1\nSTATUS=" + status(current)
          + (accepted ? "" : "; the reloaded configuration was invalid, the previous one stays")));
    });
    // Runs when the JVM exits some other way (or when the signals above could not be taken over).
    Thread hook = new Thread(() -> {
      PostsealServer current = running.get();
      if (current != null) {
        current.close();
      }
    }, "postseal-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (!handled) {
      LOG.warn("cannot handle SIGTERM/SIGINT here; the JVM shutdown hook drains instead (exit status 143/130)");
    }
    PostsealServer server;
    try {
      server = PostsealServer.builder(config)
          .sourceName(result.source())
          .reloadFrom(() -> common.loadConfig(loader))
          .generator("Postseal " + VersionProvider.version())
          .warmUp(PostsealServer.DEFAULT_WARM_UP)
          .start();
    } catch (IOException e) {
      err.println("postseal: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    running.set(server);

    if (stop.getCount() > 0) {
      out.println("postseal: listening on " + server.listenAddress());
      out.flush();
      // Type=notify: systemd (and Postfix, ordered after us) waits for READY=1, sent once we listen
      systemd.ifPresent(n -> n.notify("READY=1\nSTATUS=" + status(server)));
    }
    stop.await();
    LOG.info("stopping: no new connections; letting messages in flight finish");
    systemd.ifPresent(n -> n.notify("STOPPING=1"));
    server.close();
    systemd.ifPresent(SystemdNotifier::close);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs anyway and close() is idempotent
    }
    LOG.info("stopped");
    return Main.EXIT_OK;
  }

  /** The one line {@code systemctl status} shows. */
  private static String status(PostsealServer server) {
    return "listening on " + server.listenAddress();
  }
}
