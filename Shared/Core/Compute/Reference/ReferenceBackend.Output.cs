namespace DistTrainer.Core.Compute.Reference;

/// <summary>The output layer of the specification: softmax and the five losses with their gradients.</summary>
public sealed partial class ReferenceBackend
{
    public void SoftmaxForward(DeviceSlice x, DeviceSlice y, int rows, int cols)
    {
        var xv = View(x);
        var yv = View(y);
        for (int r = 0; r < rows; r++)
        {
            var row = xv.Slice(r * cols, cols);
            var output = yv.Slice(r * cols, cols);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += output[c] = Math.Exp(row[c] - max);
            for (int c = 0; c < cols; c++) output[c] /= sum;
        }
    }

    public void SoftmaxBackward(DeviceSlice y, DeviceSlice dy, DeviceSlice dx, int rows, int cols)
    {
        var yv = View(y);
        var dyv = View(dy);
        var dxv = View(dx);
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int c = 0; c < cols; c++) dot += dyv[r * cols + c] * yv[r * cols + c];
            for (int c = 0; c < cols; c++) dxv[r * cols + c] = yv[r * cols + c] * (dyv[r * cols + c] - dot);
        }
    }

    public double Loss(LossKind kind, DeviceSlice output, DeviceSlice targets, int rows, int cols, float gradScale, DeviceSlice grad)
    {
        var xv = View(output);
        var tv = View(targets);
        var gv = View(grad);
        double total = 0;
        if (kind == LossKind.CrossEntropy)
        {
            for (int r = 0; r < rows; r++)
            {
                var row = xv.Slice(r * cols, cols);
                int label = (int)tv[r];
                double max = double.NegativeInfinity;
                foreach (var v in row) max = Math.Max(max, v);
                double sum = 0;
                foreach (var v in row) sum += Math.Exp(v - max);
                double logSumExp = max + Math.Log(sum);
                total += logSumExp - row[label];
                for (int c = 0; c < cols; c++)
                    gv[r * cols + c] = gradScale * (Math.Exp(row[c] - logSumExp) - (c == label ? 1 : 0));
            }
            return total;
        }

        for (int i = 0; i < rows * cols; i++)
        {
            double x = xv[i], t = tv[i];
            (double loss, double derivative) = kind switch
            {
                LossKind.BceWithLogits => (Math.Max(x, 0) - x * t + Math.Log(1 + Math.Exp(-Math.Abs(x))), 1 / (1 + Math.Exp(-x)) - t),
                LossKind.Bce => (-(t * Math.Max(Math.Log(x), -100) + (1 - t) * Math.Max(Math.Log(1 - x), -100)),
                    (x - t) / Math.Max((1 - x) * x, 1e-12)),
                LossKind.Mse => ((x - t) * (x - t), 2 * (x - t)),
                LossKind.Mae => (Math.Abs(x - t), Math.Sign(x - t)),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
            total += loss;
            gv[i] = gradScale * derivative;
        }
        return total;
    }
}
