namespace DistTrainer.Core.Compute.Reference;

/// <summary>The batch-norm operations of the specification: column statistics, the forward pass, the split backward, the running-statistics fold.</summary>
public sealed partial class ReferenceBackend
{
    public void ColumnMeanVariance(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance)
    {
        var xv = View(x);
        var mv = View(mean);
        var vv = View(variance);
        for (int c = 0; c < cols; c++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += xv[r * cols + c];
            double mu = sum / rows;
            double squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double d = xv[r * cols + c] - mu;
                squares += d * d;
            }
            mv[c] = mu;
            vv[c] = squares / rows;
        }
    }

    public void BatchNormForward(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice beta, DeviceSlice xHat, DeviceSlice y)
    {
        var xv = View(x);
        var mv = View(mean);
        var vv = View(variance);
        var gv = View(gamma);
        var bv = View(beta);
        var hv = View(xHat);
        var yv = View(y);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                hv[i] = (xv[i] - mv[c]) / Math.Sqrt(vv[c] + eps);
                yv[i] = gv[c] * hv[i] + bv[c];
            }
    }

    public void BatchNormBackwardReduce(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice dGamma, DeviceSlice dBeta)
    {
        var dyv = View(dy);
        var hv = View(xHat);
        var dgv = View(dGamma);
        var dbv = View(dBeta);
        for (int c = 0; c < cols; c++)
        {
            double g = 0, b = 0;
            for (int r = 0; r < rows; r++)
            {
                g += dyv[r * cols + c] * hv[r * cols + c];
                b += dyv[r * cols + c];
            }
            dgv[c] = g;
            dbv[c] = b;
        }
    }

    public void BatchNormBackwardInput(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice dGamma, DeviceSlice dBeta, int count, DeviceSlice dx)
    {
        var dyv = View(dy);
        var hv = View(xHat);
        var vv = View(variance);
        var gv = View(gamma);
        var dgv = View(dGamma);
        var dbv = View(dBeta);
        var dxv = View(dx);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                dxv[i] = gv[c] / Math.Sqrt(vv[c] + eps) * (dyv[i] - (dbv[c] + hv[i] * dgv[c]) / count);
            }
    }

    public void UpdateRunningStatistics(DeviceSlice runningMean, DeviceSlice runningVariance,
        DeviceSlice batchMean, DeviceSlice batchVariance, int count, float momentum)
    {
        var rm = View(runningMean);
        var rv = View(runningVariance);
        var bm = View(batchMean);
        var bv = View(batchVariance);
        double unbias = (double)count / (count - 1);
        for (int c = 0; c < rm.Length; c++)
        {
            rm[c] = (1 - momentum) * rm[c] + momentum * bm[c];
            rv[c] = (1 - momentum) * rv[c] + momentum * bv[c] * unbias;
        }
    }
}
