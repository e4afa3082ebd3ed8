namespace DistTrainer.Core.Training;

/// <summary>
/// Sees the gradient of every applied step (the whole global batch's, after the finite check, before the
/// optimizer uses it), on the thread that applies steps. It must not keep the span.
/// </summary>
public interface IGradientObserver
{
    void OnGradients(long step, ReadOnlySpan<float> gradients);
}
