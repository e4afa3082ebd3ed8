namespace DistTrainer.Core.Training;

/// <summary>
/// Sees the gradient of every applied step (the whole global batch's, after the finite check, before the
/// optimizer uses it) and the weights that step produced, on the thread that applies steps. It must not keep
/// either span.
/// </summary>
public interface IGradientObserver
{
    void OnGradients(long step, ReadOnlySpan<float> gradients);

    /// <summary>Follows <see cref="OnGradients"/> once the optimizer has stepped: the weights after step <paramref name="step"/>.</summary>
    void OnWeights(long step, ReadOnlySpan<float> weights)
    {
    }
}
