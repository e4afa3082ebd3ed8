using System.Net;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>How messages write a peer's address: IPv4 peers of a dual-stack socket as plain IPv4.</summary>
internal static class PeerAddress
{
    public static string Describe(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString(),
        null => "unknown address",
        _ => endPoint.ToString()!,
    };
}
