namespace DistTrainer.Worker.DataPlane;

/// <summary>Counts the sends that read one payload down to the last, which runs the owner's callback.</summary>
internal sealed class PendingSends(int sends, Action written)
{
    private int _left = sends;

    public void Done()
    {
        if (Interlocked.Decrement(ref _left) == 0) written();
    }
}
