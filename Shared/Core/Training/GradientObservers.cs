namespace DistTrainer.Core.Training;

/// <summary>Several gradient observers of one run as one (an experiment's measurements and an event-file writer), in the order given.</summary>
public sealed class GradientObservers(params IGradientObserver[] observers) : IGradientObserver
{
    public void OnGradients(long step, ReadOnlySpan<float> gradients)
    {
        foreach (var observer in observers)
            observer.OnGradients(step, gradients);
    }

    public void OnWeights(long step, ReadOnlySpan<float> weights)
    {
        foreach (var observer in observers)
            observer.OnWeights(step, weights);
    }
}
