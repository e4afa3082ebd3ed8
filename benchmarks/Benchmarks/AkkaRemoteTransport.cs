using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Tensors through Akka.Remote, as they would travel without a data plane of their own: two actor
/// systems of this process on loopback, each with the cluster's configuration and Hyperion serializer,
/// exchanging a <see cref="TensorMessage"/>. A receiver actor counts one-way messages and sends echoed
/// ones back to a collector actor on the sending system.
/// </summary>
public static class AkkaRemoteTransport
{
    /// <summary>
    /// 1M floats serialize to a little over 4 MB, far over the cluster's 128000-byte frame and 120000-byte
    /// message cap; both are raised here, the same on both systems, for this benchmark only.
    /// </summary>
    public const int FrameBytes = 8 * 1024 * 1024, MessageBytes = FrameBytes - 64 * 1024;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // The stdout level keeps Akka's shutdown chatter about closing channels out of the benchmark's table.
    private static readonly Config Overrides = ConfigurationFactory.ParseString(
        "akka.actor.provider = remote\n" +
        "akka.stdout-loglevel = ERROR\n" +
        $"akka.remote.dot-netty.tcp.maximum-frame-size = {FrameBytes}b\n" +
        $"akka.actor.serialization-settings.disttrainer-hyperion.max-message-bytes = {MessageBytes}\n");

    public static TransportFigures Measure(int floats, TimeSpan window)
    {
        using var deliveries = new DeliveryCounter();
        using var echoes = new SemaphoreSlim(0);
        var receiving = Start("receiving");
        var sending = Start("sending");
        try
        {
            receiving.ActorOf(Props.Create(() => new Receiver(deliveries)), "receiver");
            var collector = sending.ActorOf(Props.Create(() => new EchoCollector(echoes)), "collector");
            var address = ((ExtendedActorSystem)receiving).Provider.DefaultAddress;
            var receiver = sending.ActorSelection(new RootActorPath(address) / "user" / "receiver").ResolveOne(Patience).GetAwaiter().GetResult();

            var values = new float[floats];
            new Random(1).NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
            var echoed = new TensorMessage(true, values);
            var oneWay = new TensorMessage(false, values);

            double RoundTrip()
            {
                long start = Stopwatch.GetTimestamp();
                receiver.Tell(echoed, collector);
                if (!echoes.Wait(Patience)) throw new TimeoutException($"Akka.Remote: no echo within {Patience}");
                return Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            double OneWaySeconds(int messages)
            {
                deliveries.Expect(messages);
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < messages; i++) receiver.Tell(oneWay, ActorRefs.NoSender);
                if (!deliveries.Wait(Patience)) throw new TimeoutException($"Akka.Remote: {messages} messages not delivered within {Patience}");
                return Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            return TransportMeasurement.Run(floats, window, RoundTrip, OneWaySeconds);
        }
        finally
        {
            Task.WaitAll([sending.Terminate(), receiving.Terminate()], Patience);
        }
    }

    private static ActorSystem Start(string name) =>
        ClusterNode.Start(new ClusterNodeOptions("127.0.0.1", 0, SystemName: name), Serilog.Core.Logger.None, Overrides);

    private sealed class Receiver : ReceiveActor
    {
        public Receiver(DeliveryCounter deliveries) =>
            Receive<TensorMessage>(message =>
            {
                if (message.Echo) Sender.Tell(message);
                else deliveries.Delivered();
            });
    }

    private sealed class EchoCollector : ReceiveActor
    {
        public EchoCollector(SemaphoreSlim echoes) => Receive<TensorMessage>(_ => echoes.Release());
    }
}
