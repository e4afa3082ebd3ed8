using DistTrainer.Core.Nn.Losses;
using Xunit;

namespace DistTrainer.Core.Tests.Nn;

public class LossFunctionTests
{
    [Fact]
    public void Normalizers_follow_pytorchs_mean_reduction()
    {
        Assert.Equal(8, LossFunction.Parse("cross-entropy").Normalizer(8, 10));
        Assert.Equal(80, LossFunction.Parse("mse").Normalizer(8, 10));
        Assert.Equal(80, LossFunction.Parse("bce-with-logits").Normalizer(8, 10));
    }

    [Fact]
    public void Targets_are_labels_for_cross_entropy_and_one_hot_rows_otherwise()
    {
        var targets = new float[6];
        LossFunction.Parse("cross-entropy").EncodeTargets([2, 0], 3, targets);
        Assert.Equal([2f, 0f, 0f, 0f, 0f, 0f], targets);
        LossFunction.Parse("mse").EncodeTargets([2, 0], 3, targets);
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f], targets);
        LossFunction.Parse("bce").EncodeTargets([1, 0], 1, targets);
        Assert.Equal([1f, 0f], targets[..2]);
    }

    [Fact]
    public void Correct_rows_are_arg_max_or_the_losss_threshold()
    {
        Assert.Equal(1, LossFunction.Parse("cross-entropy").CountCorrect([0.1f, 0.9f, 0.3f, 0.2f, 0.7f, 0.1f], [1, 2], 3));
        Assert.Equal(2, LossFunction.Parse("bce-with-logits").CountCorrect([0.3f, -0.1f], [1, 0], 1));
        Assert.Equal(1, LossFunction.Parse("bce").CountCorrect([0.3f, 0.6f], [1, 1], 1));
    }

    [Fact]
    public void A_row_predicts_its_arg_max_or_the_class_past_the_losss_threshold()
    {
        var crossEntropy = LossFunction.Parse("cross-entropy");
        Assert.Equal(1, crossEntropy.Predict([0.1f, 0.9f, 0.3f]));
        Assert.Equal(0, crossEntropy.Predict([0.7f, 0.2f, 0.7f]));
        Assert.Equal(2, crossEntropy.Predict([-3f, -2f, -1f]));
        var logits = LossFunction.Parse("bce-with-logits");
        Assert.Equal(1, logits.Predict([0.3f]));
        Assert.Equal(0, logits.Predict([-0.1f]));
        var probabilities = LossFunction.Parse("bce");
        Assert.Equal(0, probabilities.Predict([0.3f]));
        Assert.Equal(1, probabilities.Predict([0.6f]));
        Assert.Equal(2, LossFunction.ClassCount(1));
        Assert.Equal(10, LossFunction.ClassCount(10));
    }

    [Fact]
    public void Labels_outside_the_model_are_refused_with_the_sample()
    {
        var e = Assert.Throws<InvalidInputException>(() =>
            LossFunction.Parse("cross-entropy").ValidateLabels([0, 3, 10], 10, "dataset train"));
        Assert.Equal("dataset train: label 10 of sample 2 is outside the model's 10 classes (0..9)", e.Message);
        var binary = Assert.Throws<InvalidInputException>(() => LossFunction.Parse("bce").ValidateLabels([0, 1, 2], 1, "dataset d"));
        Assert.Contains("label 2 of sample 2 is not a 0/1 target for bce", binary.Message);
        LossFunction.Parse("mse").ValidateLabels([0, 7, 42], 1, "dataset regression");
    }

    [Fact]
    public void Unknown_losses_are_refused_with_the_list()
    {
        var e = Assert.Throws<InvalidInputException>(() => LossFunction.Parse("hinge"));
        Assert.Equal("--loss: unknown loss 'hinge'; expected one of cross-entropy, bce-with-logits, bce, mse, mae", e.Message);
    }
}
