using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Core.Tests.Training;

public class ConfusionMatrixTests
{
    // Seven samples of three classes (and a fourth class with none): by hand, row = true, column = predicted:
    //   true 0: [1 1 0 0]   true 1: [0 1 1 0]   true 2: [1 0 2 0]   true 3: [0 0 0 0]
    private static readonly int[] Labels = [0, 0, 1, 2, 2, 2, 1];
    private static readonly int[] Predicted = [0, 1, 1, 2, 0, 2, 2];

    [Fact]
    public void Counts_each_true_class_against_its_prediction()
    {
        var matrix = ConfusionMatrix.Of(Labels, Predicted, classCount: 4);
        long[,] expected = { { 1, 1, 0, 0 }, { 0, 1, 1, 0 }, { 1, 0, 2, 0 }, { 0, 0, 0, 0 } };
        for (int t = 0; t < 4; t++)
            for (int p = 0; p < 4; p++)
                Assert.Equal(expected[t, p], matrix[t, p]);
        Assert.Equal(4, matrix.ClassCount);
    }

    [Fact]
    public void Accuracy_is_the_diagonal_over_the_total()
    {
        var matrix = ConfusionMatrix.Of(Labels, Predicted, classCount: 4);
        Assert.Equal(7, matrix.Total);
        Assert.Equal(4, matrix.Correct);
        Assert.Equal(4.0 / 7, matrix.Accuracy, 15);
    }

    [Fact]
    public void Per_class_accuracy_is_the_diagonal_over_the_row_and_absent_for_a_class_without_samples()
    {
        var matrix = ConfusionMatrix.Of(Labels, Predicted, classCount: 4);
        Assert.Equal(new[] { 2L, 2L, 3L, 0L }, Enumerable.Range(0, 4).Select(matrix.Samples));
        Assert.Equal(0.5, matrix.ClassAccuracy(0));
        Assert.Equal(0.5, matrix.ClassAccuracy(1));
        Assert.Equal(2.0 / 3, matrix.ClassAccuracy(2)!.Value, 15);
        Assert.Null(matrix.ClassAccuracy(3));
    }

    [Fact]
    public void Adding_samples_one_by_one_gives_the_same_matrix()
    {
        var matrix = new ConfusionMatrix(4);
        Assert.True(double.IsNaN(matrix.Accuracy));
        for (int i = 0; i < Labels.Length; i++) matrix.Add(Labels[i], Predicted[i]);
        var whole = ConfusionMatrix.Of(Labels, Predicted, classCount: 4);
        for (int t = 0; t < 4; t++)
            for (int p = 0; p < 4; p++)
                Assert.Equal(whole[t, p], matrix[t, p]);
        Assert.Equal(whole.Correct, matrix.Correct);
    }

    [Fact]
    public void Classes_outside_the_matrix_and_unpaired_predictions_are_refused()
    {
        var matrix = new ConfusionMatrix(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(0, -1));
        Assert.Equal(0, matrix.Total);
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.Of([0, 1], [0], 2));
    }
}
