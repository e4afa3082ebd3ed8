using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Where a standby keeps the active coordinator's newest checkpoint (<paramref name="Path"/>), how it registers and
/// receives it (<paramref name="Settings"/>), and the data-plane options (TLS identity, bounds) its stream runs with.
/// </summary>
public sealed record StandbyState(string Path, StandbySettings Settings, DataPlaneOptions DataPlane)
{
    /// <summary>The state file of a run saved to <paramref name="save"/>: beside it, so a standby needs no disk shared with the active one.</summary>
    public static string PathFor(string save) => save + ".standby";
}
