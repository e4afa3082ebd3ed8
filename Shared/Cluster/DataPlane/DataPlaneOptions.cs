using System.Net.Sockets;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Security;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>Limits, socket settings and the TLS identity shared by both ends of the data plane.</summary>
public sealed record DataPlaneOptions
{
    /// <summary>
    /// A frame announcing a larger payload is a protocol error, refused before it is read (and sending one
    /// is refused). A parameter server sets it to its job's largest frame.
    /// </summary>
    public int MaxPayloadBytes { get; init; } = 1 << 30;

    /// <summary>Where receivers rent payload arrays (and where owners give them back).</summary>
    public PayloadPool Payloads { get; init; } = PayloadPool.Shared;

    /// <summary>The handshake deadline, the connect retry pauses and the thread exit wait; a node's come from its configuration.</summary>
    public DataPlaneSettings Timings { get; init; } = DataPlaneSettings.Default;

    /// <summary>The send queue's byte bound, the pool's byte bound and the pending handshakes; a node's come from its configuration.</summary>
    public DataPlaneBounds Bounds { get; init; } = DataPlaneBounds.Default;

    /// <summary>
    /// This node's TLS identity: with it, every connection runs mutual TLS against its private CA before the
    /// Hello, on both ends (<see cref="TlsHandshake"/>); null runs the data plane in clear. A node's comes from
    /// its <see cref="NodeSecurity"/>, the same credentials its remoting runs with.
    /// </summary>
    public TlsCredentials? Tls { get; init; }

    /// <summary>
    /// The node's modelled link, shared by every connection made with these options; null (the default) sends at full speed.
    /// A node makes one set of options for all its ends (its listeners and its clients), so that they share one link.
    /// </summary>
    public LinkCap? Link { get; init; }

    /// <summary>
    /// Whether a connection between two ends of this process hands its frames over in memory (<see cref="InProcessWire"/>):
    /// both ends' options must say so (<see cref="TakesInProcess"/>). A node's comes from data-plane.in-process; off by
    /// default, so that tests of the wire itself, with both ends in one process, keep the socket.
    /// </summary>
    public bool InProcess { get; init; }

    /// <summary>
    /// Whether a connection made with these options to a listener of this process made with <paramref name="listening"/>
    /// goes in memory: both must allow it and model the same link, or none. Between two nodes' links the frames take the
    /// socket path the links are modelled on; within one node (a worker and the key ranges its node hosts) they never
    /// cross the node's link, as on a real machine, where they would go through loopback.
    /// </summary>
    internal bool TakesInProcess(DataPlaneOptions listening) => InProcess && listening.InProcess && ReferenceEquals(Link, listening.Link);

    /// <summary>
    /// Kernel send and receive buffer size. The default holds a whole 4 MB gradient, so the writer
    /// hands the kernel a frame in one call while the reader is still copying out the previous one
    /// (measured on loopback, 4 MB frames: 3.6 GB/s and 3.2 ms round trip, against 2.2 GB/s and 7.3 ms
    /// with 128 KB buffers). Linux caps it at net.core.rmem_max / wmem_max.
    /// </summary>
    public int SocketBufferBytes { get; init; } = 4 << 20;

    /// <summary>
    /// A node's options: timings and bounds from its configuration, <paramref name="payloads"/>, or
    /// else a pool of its own bounded by the configured payload-pool-bytes, the node's <paramref name="tls"/> identity, and a
    /// fresh <see cref="LinkCap"/> when link-gbits is set, and whether it connects in memory within the process (in-process).
    /// </summary>
    /// <exception cref="ConfigurationException">the data-plane section or one of its values is missing or unusable</exception>
    public static DataPlaneOptions Create(Config config, PayloadPool? payloads = null, TlsCredentials? tls = null)
    {
        var bounds = DataPlaneBounds.Create(config);
        return new DataPlaneOptions
        {
            Timings = DataPlaneSettings.Create(config),
            Bounds = bounds,
            Payloads = payloads ?? new PayloadPool(bounds.PayloadPoolBytes, idleRelease: bounds.PayloadPoolIdle),
            Tls = tls,
            Link = LinkCap.Create(config),
            InProcess = ConfigSection.Of(config, DataPlaneSettings.Path).Switch("in-process"),
        };
    }

    internal void Configure(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = SocketBufferBytes;
        socket.ReceiveBufferSize = SocketBufferBytes;
    }
}
