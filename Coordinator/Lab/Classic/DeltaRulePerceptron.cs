using DistTrainer.Core.Data;
using DistTrainer.Core.Nn.Init;

namespace DistTrainer.Coordinator.Lab.Classic;

/// <summary>
/// Rosenblatt's perceptron trained with the delta rule w ← w + α (d − y) x, one sample at a time: a single
/// unit with a step activation (y = 1 when w·x > 0, else 0) and its bias as the weight of a constant input 1.
/// It is not a network trained by back-propagation, which is why it lives here and not in the trainer. The
/// weights start small and random from a seed: from zero, every weight stays a multiple of α and the line
/// it learns tends to pass exactly through a corner of the unit square.
/// </summary>
public sealed class DeltaRulePerceptron
{
    private readonly double[] _weights;

    public const double InitialScale = 0.5;

    /// <summary>A perceptron whose weights start uniform in [−<see cref="InitialScale"/>, <see cref="InitialScale"/>) as <paramref name="seed"/> draws them.</summary>
    public DeltaRulePerceptron(int inputs, double learningRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        var random = new SeededRandom(seed);
        _weights = new double[inputs + 1];
        for (int i = 0; i < _weights.Length; i++) _weights[i] = random.Uniform(-InitialScale, InitialScale);
        LearningRate = learningRate;
    }

    public double LearningRate { get; }

    /// <summary>One weight per input, then the bias (the weight of the constant input 1).</summary>
    public IReadOnlyList<double> Weights => _weights;

    public int Inputs => _weights.Length - 1;

    /// <summary>w·x + b: positive on the side of class 1.</summary>
    public double Activation(ReadOnlySpan<float> x)
    {
        if (x.Length != Inputs) throw new ArgumentException($"{x.Length} inputs; the perceptron takes {Inputs}", nameof(x));
        double sum = _weights[^1];
        for (int i = 0; i < x.Length; i++) sum += _weights[i] * x[i];
        return sum;
    }

    public int Predict(ReadOnlySpan<float> x) => Activation(x) > 0 ? 1 : 0;

    /// <summary>
    /// Epochs of the delta rule over <paramref name="data"/> in its order, until one leaves every sample
    /// right or <paramref name="maxEpochs"/> have run; returns the accuracy after each epoch.
    /// </summary>
    public IReadOnlyList<double> Train(Dataset data, int maxEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEpochs);
        var accuracies = new List<double>();
        while (accuracies.Count < maxEpochs)
        {
            for (int s = 0; s < data.Count; s++) Update(data.Row(s), data.Labels[s]);
            accuracies.Add(Accuracy(data));
            if (accuracies[^1] == 1) break;
        }
        return accuracies;
    }

    /// <summary>The share of samples whose label the perceptron predicts.</summary>
    public double Accuracy(Dataset data)
    {
        int correct = 0;
        for (int s = 0; s < data.Count; s++)
            if (Predict(data.Row(s)) == data.Labels[s]) correct++;
        return (double)correct / data.Count;
    }

    private void Update(ReadOnlySpan<float> x, int target)
    {
        double step = LearningRate * (target - Predict(x));
        if (step == 0) return;
        for (int i = 0; i < x.Length; i++) _weights[i] += step * x[i];
        _weights[^1] += step;
    }
}
