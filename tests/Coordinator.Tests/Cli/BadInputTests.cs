using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>Every kind of bad input ends with one clear line on stderr and exit code 2, never a stack trace.</summary>
public class BadInputTests
{
    private static readonly string ParityData = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Parity", "data");

    private static void AssertRejected(CliProcess.Outcome outcome, params string[] expected)
    {
        Assert.Equal(2, outcome.ExitCode);
        var lines = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain(" at DistTrainer", outcome.Stderr);
        foreach (var text in expected) Assert.Contains(text, lines[0]);
    }

    [Fact]
    public void A_layer_spec_that_does_not_chain() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--layers", "linear:784:256,linear:128:10"),
            "--layers", "entry 1 'linear:128:10'", "takes 128 inputs", "give 256");

    [Fact]
    public void An_unknown_layer() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--layers", "linear:2:4,swish,linear:4:2"), "unknown layer 'swish'");

    [Fact]
    public void An_unknown_loss() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--layers", "linear:2:2", "--loss", "hinge"), "--loss", "'hinge'");

    [Fact]
    public void An_unknown_optimizer() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--layers", "linear:2:2", "--optimizer", "lion"), "--optimizer", "'lion'");

    [Fact]
    public void An_unknown_wire_dtype() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--wire-dtype", "int8"), "--wire-dtype: 'int8'", "fp32, bf16 or fp16");

    [Fact]
    public void No_logical_shards() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--shards", "0"), "--shards");

    [Fact]
    public void Histograms_without_a_folder_for_them() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--histogram-every", "10"), "--histogram-every", "--tensorboard DIR");

    [Fact]
    public void A_shard_norm_ratio_below_one() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--max-shard-norm-ratio", "0.5"), "--max-shard-norm-ratio", "0.5",
            "0 (off) or a ratio of at least 1");

    [Fact]
    public void An_unknown_option() =>
        AssertRejected(CliProcess.Run("train", "--dataset", "xor", "--learning-rate", "0.1"), "--learning-rate", "unknown option");

    [Fact]
    public void A_missing_dataset_file()
    {
        using var dir = new TempDirectory();
        AssertRejected(CliProcess.Run("train", "--data-dir", dir.Path, "--layers", "linear:12:3"), "train-images-idx3-ubyte");
    }

    [Fact]
    public void A_truncated_idx_file()
    {
        using var dir = new TempDirectory();
        var images = File.ReadAllBytes(Path.Combine(ParityData, "train-images-idx3-ubyte.gz"));
        File.WriteAllBytes(Path.Combine(dir.Path, "train-labels-idx1-ubyte.gz"), File.ReadAllBytes(Path.Combine(ParityData, "train-labels-idx1-ubyte.gz")));
        using (var raw = new System.IO.Compression.GZipStream(new MemoryStream(images), System.IO.Compression.CompressionMode.Decompress))
        using (var copy = new MemoryStream())
        {
            raw.CopyTo(copy);
            File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), copy.ToArray()[..100]);
        }
        AssertRejected(CliProcess.Run("train", "--data-dir", dir.Path, "--layers", "linear:12:3"), "train-images-idx3-ubyte", "truncated");
    }

    [Fact]
    public void A_label_outside_the_models_classes() =>
        AssertRejected(CliProcess.Run("train", "--data-dir", ParityData, "--layers", "linear:12:2"), "label 2", "outside the model's 2 classes");

    [Fact]
    public void A_checkpoint_whose_shapes_do_not_fit()
    {
        string init = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Parity", "init-plain.safetensors");
        AssertRejected(CliProcess.Run("train", "--data-dir", ParityData, "--layers", "linear:12:5,tanh,linear:5:6,relu,linear:6:3",
            "--init-from", init), "init-plain.safetensors", "'0.weight' has shape [8, 12]", "needs [5, 12]");
    }

    [Fact]
    public void A_checkpoint_of_another_model()
    {
        string init = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Parity", "init-bn.safetensors");
        AssertRejected(CliProcess.Run("train", "--data-dir", ParityData, "--layers", "linear:12:8,relu,linear:8:3",
            "--init-from", init), "init-bn.safetensors");
    }

    [Fact]
    public void A_batch_size_that_leaves_batch_norm_a_single_row() =>
        AssertRejected(CliProcess.Run("train", "--data-dir", ParityData, "--layers", "linear:12:4,batchnorm:4,linear:4:3", "--batch-size", "47"),
            "--batch-size: 47 leaves a batch of 1 sample (48 samples)");

    [Fact]
    public void An_idx_file_with_the_wrong_magic()
    {
        using var dir = new TempDirectory();
        File.Copy(Path.Combine(ParityData, "train-images-idx3-ubyte.gz"), Path.Combine(dir.Path, "train-labels-idx1-ubyte.gz"));
        File.Copy(Path.Combine(ParityData, "train-images-idx3-ubyte.gz"), Path.Combine(dir.Path, "train-images-idx3-ubyte.gz"));
        AssertRejected(CliProcess.Run("train", "--data-dir", dir.Path, "--layers", "linear:12:3"),
            "train-labels-idx1-ubyte.gz", "wrong magic number 0x00000803, expected 0x00000801");
    }

    [Fact]
    public void Images_and_labels_of_different_counts()
    {
        using var dir = new TempDirectory();
        File.Copy(Path.Combine(ParityData, "train-images-idx3-ubyte.gz"), Path.Combine(dir.Path, "train-images-idx3-ubyte.gz"));
        File.WriteAllBytes(Path.Combine(dir.Path, "train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2]);
        AssertRejected(CliProcess.Run("train", "--data-dir", dir.Path, "--layers", "linear:12:3"), "holds 48 images but", "holds 3 labels");
    }
}
