package org.postseal.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The datagrams reach a socket bound as systemd binds its notify socket: a path, or a name in the abstract namespace. */
class SystemdNotifierTest {

  @TempDir
  Path dir;

  private EventLoopGroup group;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void startGroup() {
    group = new EpollEventLoopGroup(1);
  }

  @AfterEach
  void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private Channel listen(String address) {
    return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
        .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
            received.add(packet.content().toString(StandardCharsets.UTF_8));
          }
        })
        .bind(new DomainSocketAddress(address)).syncUninterruptibly().channel();
  }

  @Test
  void readyReachesAPathSocket() throws InterruptedException {
    Path socket = dir.resolve("notify");
    Channel systemd = listen(socket.toString());
    try (SystemdNotifier notifier = SystemdNotifier.forSocket(Map.of("NOTIFY_SOCKET", socket.toString())).orElseThrow()) {
      assertThat(notifier.notify("READY=1\nSTATUS=listening on inet:127.0.0.1:8891")).isTrue();
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("READY=1\nSTATUS=listening on inet:127.0.0.1:8891");
      assertThat(notifier.notify("STOPPING=1")).isTrue();
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("STOPPING=1");
    } finally {
      systemd.close().syncUninterruptibly();
    }
  }

  @Test
  void anAtSignNamesTheAbstractNamespace() throws InterruptedException {
    String name = "postseal-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    Channel systemd = listen("\0" + name);
    try (SystemdNotifier notifier = SystemdNotifier.forSocket(Map.of("NOTIFY_SOCKET", "@" + name)).orElseThrow()) {
      assertThat(notifier.notify("READY=1")).isTrue();
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("READY=1");
    } finally {
      systemd.close().syncUninterruptibly();
    }
  }

  @Test
  void aSocketNobodyListensOnIsReportedNotThrown() {
    try (SystemdNotifier notifier = SystemdNotifier.forSocket(Map.of("NOTIFY_SOCKET", dir.resolve("gone").toString()))
        .orElseThrow()) {
      assertThat(notifier.notify("READY=1")).isFalse();
    }
  }

  @Test
  void withoutNotifySocketThereIsNothingToTell() {
    assertThat(SystemdNotifier.forSocket(Map.of())).isEqualTo(Optional.empty());
    assertThat(SystemdNotifier.forSocket(Map.of("NOTIFY_SOCKET", ""))).isEqualTo(Optional.empty());
  }
}
