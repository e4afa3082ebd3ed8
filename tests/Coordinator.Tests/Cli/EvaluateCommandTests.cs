using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Tests.Data;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>
/// `evaluate` on checkpoints that `train --save` wrote: it must reproduce the trainer's own final test
/// evaluation, account for every sample in its confusion matrix, and refuse inputs that do not fit.
/// </summary>
public class EvaluateCommandTests(EvaluateCommandTests.TrainedModel trained) : IClassFixture<EvaluateCommandTests.TrainedModel>
{
    /// <summary>
    /// A three-class model with batch norm and dropout trained for a few epochs on a small synthetic set whose
    /// classes brighten different pixels, saved with its summary: the checkpoint the tests evaluate.
    /// </summary>
    public sealed class TrainedModel : IDisposable
    {
        public const int TestCount = 150;
        private readonly TempDirectory _directory = new();

        public TrainedModel()
        {
            DataDir = Path.Combine(_directory.Path, "data");
            WriteClasses(DataDir, trainCount: 360, TestCount);
            Trained = TrainAndSave(_directory, "model.safetensors", "--data-dir", DataDir,
                "--layers", "linear:16:12,batchnorm:12,relu,dropout:0.2,linear:12:3", "--epochs", "3", "--batch-size", "32", "--lr", "0.01");
        }

        public string DataDir { get; }
        public Saved Trained { get; }
        public string Checkpoint => Trained.Checkpoint;
        public string Folder => _directory.Path;

        public void Dispose() => _directory.Dispose();

        private static void WriteClasses(string directory, int trainCount, int testCount)
        {
            Directory.CreateDirectory(directory);
            var random = new Random(5);
            foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
            {
                var labels = new byte[count];
                var pixels = new byte[count * 16];
                for (int i = 0; i < count; i++)
                {
                    int label = random.Next(3);
                    labels[i] = (byte)label;
                    for (int p = 0; p < 16; p++) pixels[i * 16 + p] = (byte)(random.Next(150) + (p % 3 == label ? 60 : 0));
                }
                File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Images(count, 4, 4, pixels)));
                File.WriteAllBytes(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Labels(labels)));
            }
        }
    }

    /// <summary>A checkpoint that `train --save` wrote, and the test loss and accuracy the trainer reported after its last epoch.</summary>
    public sealed record Saved(string Checkpoint, double TestLoss, double TestAccuracy);

    /// <summary>Trains in this process on the CPU with the given options and saves the model as <paramref name="name"/> in <paramref name="dir"/>.</summary>
    private static Saved TrainAndSave(TempDirectory dir, string name, params string[] args)
    {
        string checkpoint = dir.File(name);
        var (exit, summary, _) = TrainRunner.Run(dir, [.. args, "--workers", "0", "--device", "cpu", "--save", checkpoint]);
        Assert.Equal(0, exit);
        var last = TrainRunner.LastEpoch(summary);
        return new Saved(checkpoint, last.GetProperty("test_loss").GetDouble(), last.GetProperty("test_accuracy").GetDouble());
    }

    private static (Evaluation Evaluation, string Output) Evaluate(params string[] args)
    {
        var output = new StringWriter();
        var evaluation = EvaluateCommand.Run(EvaluateOptions.Parse(args), output, Logger.None);
        return (evaluation, output.ToString());
    }

    private static string Refused(params string[] args)
    {
        var e = Assert.Throws<InvalidInputException>(() => Evaluate(args));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void The_loss_and_accuracy_are_those_of_the_trainers_final_test_evaluation()
    {
        using var outDir = new TempDirectory();
        var (evaluation, _) = Evaluate("--checkpoint", trained.Checkpoint, "--data-dir", trained.DataDir, "--device", "cpu", "--out", outDir.Path);

        Assert.Equal(trained.Trained.TestAccuracy, evaluation.Accuracy);
        Assert.Equal(trained.Trained.TestLoss, evaluation.Loss, 1e-6);
        Assert.InRange(evaluation.Accuracy, 0.6, 0.99);
    }

    [Fact]
    public void The_confusion_matrix_holds_every_sample_once_and_its_diagonal_is_the_accuracy()
    {
        using var outDir = new TempDirectory();
        var (evaluation, _) = Evaluate("--checkpoint", trained.Checkpoint, "--data-dir", trained.DataDir, "--device", "cpu", "--out", outDir.Path);

        var matrix = evaluation.Matrix;
        Assert.Equal(3, matrix.ClassCount);
        long sum = 0, diagonal = 0;
        for (int t = 0; t < 3; t++)
        {
            for (int p = 0; p < 3; p++) sum += matrix[t, p];
            diagonal += matrix[t, t];
        }
        Assert.Equal(TrainedModel.TestCount, sum);
        Assert.Equal(evaluation.Accuracy, (double)diagonal / sum, 15);
        var (_, test) = Core.Data.DatasetLoader.Load(null, trained.DataDir);
        for (int t = 0; t < 3; t++) Assert.Equal(test!.Labels.Count(label => label == t), matrix.Samples(t));
        Assert.True(matrix[0, 1] + matrix[1, 2] + matrix[2, 0] + matrix[0, 2] + matrix[1, 0] + matrix[2, 1] > 0, "some samples are confused");
    }

    [Fact]
    public void The_training_split_and_a_sample_limit_are_honoured()
    {
        using var outDir = new TempDirectory();
        var (evaluation, _) = Evaluate("--checkpoint", trained.Checkpoint, "--data-dir", trained.DataDir, "--split", "train",
            "--samples", "50", "--device", "cpu", "--out", outDir.Path);
        Assert.Equal(50, evaluation.Samples);
        Assert.Equal("train", evaluation.Split);
    }

    [Fact]
    public void The_report_and_the_plot_go_into_a_folder_next_to_the_checkpoint()
    {
        var (evaluation, output) = Evaluate("--checkpoint", trained.Checkpoint, "--data-dir", trained.DataDir, "--device", "cpu");

        string folder = Path.Combine(trained.Folder, "model-evaluation");
        string report = File.ReadAllText(Path.Combine(folder, "evaluation.md"));
        Assert.Contains(Path.GetFullPath(trained.Checkpoint), report);
        Assert.Contains($"{TrainedModel.TestCount} samples", report);
        var matrix = evaluation.Matrix;
        Assert.Matches($@"(?m)^\| 2 +\| +{matrix[2, 0]} \| +{matrix[2, 1]} \| +{matrix[2, 2]} \|$", report);
        Assert.Contains("![confusion matrix](confusion-matrix.png)", report);
        var png = File.ReadAllBytes(Path.Combine(folder, "confusion-matrix.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Contains($"accuracy {evaluation.Accuracy:F4}", output);
        Assert.Contains("| true \\ predicted |", output);
    }

    [Fact]
    public void A_one_output_model_is_scored_with_the_loss_it_was_trained_with()
    {
        using var dir = new TempDirectory();
        var saved = TrainAndSave(dir, "xor.safetensors", "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits",
            "--lr", "0.05", "--batch-size", "full", "--steps", "1500", "--seed", "3");

        var (evaluation, _) = Evaluate("--checkpoint", saved.Checkpoint, "--dataset", "xor", "--loss", "bce-with-logits", "--device", "cpu",
            "--out", dir.File("evaluation"));
        Assert.Equal(1.0, evaluation.Accuracy);
        Assert.Equal(saved.TestLoss, evaluation.Loss, 1e-6);
        Assert.Equal(new[] { "0", "1" }, evaluation.ClassNames);
        Assert.Equal(new[] { 2L, 0L, 0L, 2L }, new[] { evaluation.Matrix[0, 0], evaluation.Matrix[0, 1], evaluation.Matrix[1, 0], evaluation.Matrix[1, 1] });

        string message = Refused("--checkpoint", saved.Checkpoint, "--dataset", "xor", "--device", "cpu", "--out", dir.File("evaluation"));
        Assert.StartsWith("--loss: the model in", message);
        Assert.Contains("has one output", message);
    }

    [Fact]
    public void A_fashion_mnist_model_is_scored_as_the_trainer_scored_it_with_the_garments_named()
    {
        using var dir = new TempDirectory();
        var saved = TrainAndSave(dir, "fashion.safetensors", "--layers", "linear:784:10", "--train-samples", "1000", "--test-samples", "300",
            "--epochs", "1", "--batch-size", "100");

        var (evaluation, output) = Evaluate("--checkpoint", saved.Checkpoint, "--samples", "300", "--device", "cpu");
        Assert.Equal(saved.TestAccuracy, evaluation.Accuracy);
        Assert.Equal(saved.TestLoss, evaluation.Loss, 1e-6);
        Assert.Equal(300, evaluation.Samples);
        Assert.Equal("Ankle boot", evaluation.ClassNames[9]);
        Assert.Contains("| 9 Ankle boot ", output);
        Assert.Contains("| 0     | T-shirt/top |", File.ReadAllText(Path.Combine(dir.Path, "fashion-evaluation", "evaluation.md")));
    }

    [Fact]
    public void A_missing_checkpoint_is_named()
    {
        string missing = Path.Combine(trained.Folder, "absent.safetensors");
        Assert.Equal($"checkpoint {missing}: file not found", Refused("--checkpoint", missing, "--dataset", "xor"));
    }

    [Fact]
    public void A_truncated_checkpoint_is_named()
    {
        using var dir = new TempDirectory();
        string cut = dir.Write("cut.safetensors", File.ReadAllBytes(trained.Checkpoint)[..300]);
        string message = Refused("--checkpoint", cut, "--data-dir", trained.DataDir);
        Assert.Contains(cut, message);
        Assert.Contains("truncated", message);
    }

    [Fact]
    public void A_damaged_checkpoint_is_named()
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(trained.Checkpoint);
        bytes[^5] ^= 0x40;
        string damaged = dir.Write("damaged.safetensors", bytes);
        string message = Refused("--checkpoint", damaged, "--data-dir", trained.DataDir, "--device", "cpu");
        Assert.Equal($"checkpoint {damaged}: the tensors do not match the checksum stored with them (the file is damaged)", message);
    }

    [Fact]
    public void A_checkpoint_without_a_layer_spec_is_refused()
    {
        using var dir = new TempDirectory();
        string foreign = dir.File("foreign.safetensors");
        SafeTensorsFile.Write(foreign, [SafeTensor.FromFloats("0.weight", [2, 2], [1f, 0f, 0f, 1f])], metadata: null);
        string message = Refused("--checkpoint", foreign, "--dataset", "xor");
        Assert.StartsWith($"checkpoint {foreign}: no 'layers' in its metadata", message);
    }

    [Fact]
    public void A_dataset_with_other_features_is_refused()
    {
        string message = Refused("--checkpoint", trained.Checkpoint, "--dataset", "xor");
        Assert.Equal($"dataset xor: 2 features per sample but the model in {trained.Checkpoint} takes 16", message);
    }

    [Fact]
    public void A_dataset_with_more_classes_than_the_model_is_refused()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("two-classes.safetensors");
        using (var model = new Sequential(ModelSpec.Parse("linear:16:2"), new CpuBackend(1), 1))
        {
            model.Initialize(1);
            ModelCheckpoint.Save(checkpoint, model, optimizer: null);
        }
        string message = Refused("--checkpoint", checkpoint, "--data-dir", trained.DataDir, "--device", "cpu");
        Assert.Matches(@"^dataset .*: label 2 of sample \d+ is outside the 2 classes of the model in .*two-classes\.safetensors$", message);
    }

    [Fact]
    public void A_test_split_that_the_dataset_lacks_is_refused()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" })
            File.Copy(Path.Combine(trained.DataDir, name), dir.File(name));
        string message = Refused("--checkpoint", trained.Checkpoint, "--data-dir", dir.Path, "--device", "cpu");
        Assert.StartsWith("--split test: dataset", message);
        Assert.Contains("has no test set", message);
    }

    [Fact]
    public void Options_without_a_checkpoint_or_with_an_unknown_split_are_refused()
    {
        Assert.StartsWith("evaluate: give --checkpoint FILE", Assert.Throws<InvalidInputException>(() => EvaluateOptions.Parse(["--dataset", "xor"])).Message);
        Assert.Equal("--split: unknown split 'validation'; expected test or train",
            Assert.Throws<InvalidInputException>(() => EvaluateOptions.Parse(["--checkpoint", "m.safetensors", "--split", "validation"])).Message);
    }

    [Fact]
    public void The_program_reports_a_bad_checkpoint_on_one_line_with_exit_code_2()
    {
        var outcome = CliProcess.Run("evaluate", "--checkpoint", "absent.safetensors", "--dataset", "xor");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: checkpoint absent.safetensors: file not found", outcome.Stderr.Trim());
    }
}
