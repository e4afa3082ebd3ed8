using Akka.Configuration;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A node's network link, modelled: one bucket for what the node sends and one for what it receives (a full-duplex
/// link), shared by every data-plane connection made with the same <see cref="DataPlaneOptions"/>. The parameter
/// server's node makes one set of options, so all its workers' traffic goes through one link, as on a real machine.
/// Off unless disttrainer.data-plane.link-gbits is set: the scale benchmark's simulated network.
/// </summary>
public sealed record LinkCap(TokenBucket Send, TokenBucket Receive)
{
    public static LinkCap Of(double gigabitsPerSecond, long burstBytes)
    {
        double bytesPerSecond = gigabitsPerSecond * 1e9 / 8;
        return new LinkCap(new TokenBucket(bytesPerSecond, burstBytes), new TokenBucket(bytesPerSecond, burstBytes));
    }

    /// <summary>A fresh link at the configured rate, or null when link-gbits is 0.</summary>
    /// <exception cref="ConfigurationException">the data-plane section or one of its values is missing or unusable</exception>
    public static LinkCap? Create(Config config)
    {
        var section = ConfigSection.Of(config, DataPlaneSettings.Path);
        double gigabits = section.Number("link-gbits", minAboveZero: 0.001);
        return gigabits == 0 ? null : Of(gigabits, section.Bytes("link-burst"));
    }
}
