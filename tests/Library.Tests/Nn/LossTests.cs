using DistTrainer.Nn;
using Xunit;

namespace DistTrainer.Library.Tests.Nn;

public sealed class LossTests
{
    private static readonly ModelOptions Cpu = new() { Device = "cpu", Threads = 1 };

    [Fact]
    public void Cross_entropy_of_equal_logits_is_log_of_the_class_count()
    {
        using var model = new Sequential(Cpu, new Linear(2, 4, init: "zeros"));
        var output = model.Forward(new Tensor([1f, 2f, 3f, 4f], 2, 2));

        var loss = Loss.CrossEntropy(output, new Tensor([0f, 3f], 2));

        Assert.Equal(Math.Log(4), loss.Item(), 6);
        Assert.Equal(2, loss.Rows);
    }

    [Fact]
    public void A_loss_given_class_labels_equals_the_loss_given_their_one_hot_rows()
    {
        using var model = new Sequential(Cpu, new Linear(2, 3));
        var input = new Tensor([0.5f, -1f, 2f, 0.25f], 2, 2);

        double fromLabels = Loss.Mse(model.Forward(input), new Tensor([2f, 0f], 2)).Item();
        double fromRows = Loss.Mse(model.Forward(input), new Tensor([0f, 0f, 1f, 1f, 0f, 0f], 2, 3)).Item();

        Assert.Equal(fromRows, fromLabels);
        Assert.True(fromLabels > 0);
    }

    [Fact]
    public void Backward_after_an_evaluation_pass_is_refused()
    {
        using var model = new Sequential(Cpu, new Linear(2, 2));
        var loss = Loss.CrossEntropy(model.Eval().Forward(new Tensor([1f, 2f], 1, 2)), new Tensor([1f], 1));

        var error = Assert.Throws<InvalidOperationException>(loss.Backward);
        Assert.Contains("training mode", error.Message);
    }

    [Fact]
    public void Count_correct_counts_the_rows_whose_arg_max_is_their_label()
    {
        using var model = new Sequential(Cpu, new Linear(2, 2, init: "zeros"));
        model.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["0.weight"] = new Tensor([1f, 0f, 0f, 1f], 2, 2),
            ["0.bias"] = new Tensor([0f, 0f], 2),
        });
        var output = model.Forward(new Tensor([3f, 1f, 0f, 2f, 5f, 4f], 3, 2));

        Assert.Equal(2, Metrics.CountCorrect(output, new Tensor([0f, 1f, 1f], 3)));
    }
}
