using System.Runtime.CompilerServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Payload arrays a sender lent to receivers in its own process (<see cref="InProcessWire"/>) instead of copying them:
/// each lend remembers the sender's "written" callback, and giving the array back to any <see cref="PayloadPool"/> runs
/// one of them instead of pooling it there, so the array goes home to its sender once its last receiver is done. One
/// lock covers lending and giving back: the parameter server lends one weights array to every worker, and a give-back
/// that raced a second lend could otherwise pool an array another receiver still reads. The table holds its arrays
/// weakly: a receiver that drops a lent array (a connection closed with frames waiting) leaves it to the collector, and
/// its sender simply never reuses it. An array's entry stays while the array lives, empty between lends: the same few
/// pooled arrays are lent every step, and removing and re-adding them replaced the table's storage every few lends with
/// objects the collector must finalize, which piled up in the oldest generation (7,112 of them after 120 epochs).
/// </summary>
internal static class LentPayloads
{
    private static readonly ConditionalWeakTable<float[], Stack<Action>> Lent = new();
    private static readonly Lock Gate = new();

    public static void Lend(float[] array, Action written)
    {
        lock (Gate) Lent.GetOrCreateValue(array).Push(written);
    }

    /// <summary>Runs one lender's callback and returns true when <paramref name="array"/> is lent; false for any other array.</summary>
    public static bool GiveBack(float[] array)
    {
        Action? written;
        lock (Gate)
        {
            if (!Lent.TryGetValue(array, out var lenders) || !lenders.TryPop(out written)) return false;
        }
        written();
        return true;
    }
}
