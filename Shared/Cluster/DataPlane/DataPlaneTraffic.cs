namespace DistTrainer.Cluster.DataPlane;

/// <summary>Data-plane bytes (frame headers and payloads) sent and received over the whole run, on some set of streams together.</summary>
public readonly record struct DataPlaneTraffic(long BytesSent, long BytesReceived)
{
    public static DataPlaneTraffic Of(TensorConnection connection) => new(connection.BytesSent, connection.BytesReceived);

    public DataPlaneTraffic Plus(DataPlaneTraffic other) => new(BytesSent + other.BytesSent, BytesReceived + other.BytesReceived);
}
