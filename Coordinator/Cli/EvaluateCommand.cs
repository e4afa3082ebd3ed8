using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training;
using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// `evaluate`: loads a checkpoint written by `train --save` (its model from the layer spec in the file),
/// scores it in inference mode on a dataset split, prints the loss, accuracy, per-class accuracy and
/// confusion matrix, and writes them as a Markdown report with a confusion-matrix plot.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>The evaluation rows go through the model this many at a time at most (as the trainer's test evaluation).</summary>
    private const int MaxBatch = 1024;

    public static Evaluation Run(EvaluateOptions options, TextWriter output, ILogger log)
    {
        var spec = ModelCheckpoint.ReadSpec(options.Checkpoint);
        var loss = LossFunction.Parse(options.Loss);
        if (spec.OutputWidth == 1 && loss.Kind == LossKind.CrossEntropy)
            throw new InvalidInputException(
                $"--loss: the model in {options.Checkpoint} has one output and cross-entropy needs one per class; give --loss bce-with-logits, bce, mse or mae");
        var data = LoadSplit(options);
        int classCount = LossFunction.ClassCount(spec.OutputWidth);
        CheckFits(data, spec, classCount, options.Checkpoint);

        using var backend = BackendFactory.Create(options.Device, options.Threads, log);
        using var model = new Sequential(spec, backend, Math.Min(MaxBatch, data.Count));
        ModelCheckpoint.Load(options.Checkpoint, model, optimizer: null);
        using var runner = new BatchRunner(model, loss);
        var predicted = new int[data.Count];
        var outcome = runner.Classify(data, predicted);
        var evaluation = new Evaluation(options.Checkpoint, model.Describe(), model.ParameterCount, data.Name, options.Split,
            loss.Name, outcome.LossSum / loss.Normalizer(outcome.Rows, model.OutputWidth),
            ConfusionMatrix.Of(data.Labels, predicted, classCount), ClassNames.For(data.Name, classCount), backend.Name);
        log.Information("Evaluated {Checkpoint} on {Dataset} ({Split}, {Samples} samples): loss {Loss:F4}, accuracy {Accuracy:F4}",
            options.Checkpoint, data.Name, options.Split, evaluation.Samples, evaluation.Loss, evaluation.Accuracy);

        EvaluationReport.Print(evaluation, output);
        var written = EvaluationReport.Write(evaluation, options.OutputFolder);
        output.WriteLine($"report: {string.Join(", ", written)}");
        return evaluation;
    }

    private static Dataset LoadSplit(EvaluateOptions options)
    {
        var (train, test) = DatasetLoader.Load(options.Dataset, options.DataDir);
        var data = options.Split == "train"
            ? train
            : test ?? throw new InvalidInputException(
                $"--split test: dataset {train.Name} has no test set (no t10k-* files); use --split train");
        if (data.Count == 0)
            throw new InvalidInputException($"--split {options.Split}: dataset {data.Name} has no samples in it to evaluate");
        return options.Samples is { } samples ? data.Head(samples) : data;
    }

    private static void CheckFits(Dataset data, ModelSpec spec, int classCount, string checkpoint)
    {
        if (data.FeatureCount != spec.InputWidth)
            throw new InvalidInputException(
                $"dataset {data.Name}: {data.FeatureCount} features per sample but the model in {checkpoint} takes {spec.InputWidth}");
        int outside = Array.FindIndex(data.Labels, label => label >= classCount);
        if (outside >= 0)
            throw new InvalidInputException(
                $"dataset {data.Name}: label {data.Labels[outside]} of sample {outside} is outside the {classCount} classes of the model in {checkpoint}");
    }
}
