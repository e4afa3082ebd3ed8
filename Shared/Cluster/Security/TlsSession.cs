using System.Net.Security;

namespace DistTrainer.Cluster.Security;

/// <summary>An authenticated, encrypted stream and the name (certificate common name) of the peer on its other end.</summary>
public sealed record TlsSession(SslStream Stream, string PeerName);
