namespace DistTrainer.Core.Compute.Reference;

/// <summary>
/// The specification of every backend operation: plain loops in double precision, no
/// vectorisation, no threads. The fast backends are tested against it, and gradient checks run
/// whole models on it. Never used for training.
/// </summary>
public sealed class ReferenceBackend : IComputeBackend
{
    public string Name => "reference";

    public DeviceArray Allocate(int length) => new ReferenceArray(length);

    /// <summary>The elements of a slice, for tests that perturb or inspect values in double precision.</summary>
    public static Span<double> View(DeviceSlice slice) =>
        ((ReferenceArray)slice.Array).Data.AsSpan(slice.Offset, slice.Length);

    public void Upload(ReadOnlySpan<float> source, DeviceSlice destination)
    {
        var d = View(destination);
        RequireLength(source.Length, d.Length);
        for (int i = 0; i < d.Length; i++) d[i] = source[i];
    }

    public void Download(DeviceSlice source, Span<float> destination)
    {
        var s = View(source);
        RequireLength(s.Length, destination.Length);
        for (int i = 0; i < s.Length; i++) destination[i] = (float)s[i];
    }

    public void Fill(DeviceSlice destination, float value) => View(destination).Fill(value);

    public void Copy(DeviceSlice source, DeviceSlice destination)
    {
        RequireLength(source.Length, destination.Length);
        View(source).CopyTo(View(destination));
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, DeviceSlice a, DeviceSlice b, float beta, DeviceSlice c)
    {
        var av = View(a);
        var bv = View(b);
        var cv = View(c);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transposeA ? av[p * m + i] : av[i * k + p];
                    double y = transposeB ? bv[j * k + p] : bv[p * n + j];
                    sum += x * y;
                }
                cv[i * n + j] = beta == 0 ? alpha * sum : alpha * sum + beta * cv[i * n + j];
            }
    }

    public void AddRowVector(DeviceSlice matrix, int rows, int cols, DeviceSlice vector)
    {
        var mv = View(matrix);
        var vv = View(vector);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                mv[r * cols + c] += vv[c];
    }

    public void SumRows(DeviceSlice matrix, int rows, int cols, DeviceSlice result)
    {
        var mv = View(matrix);
        var rv = View(result);
        for (int c = 0; c < cols; c++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += mv[r * cols + c];
            rv[c] = sum;
        }
    }

    public void ActivationForward(Activation activation, DeviceSlice x, DeviceSlice y)
    {
        var xv = View(x);
        var yv = View(y);
        for (int i = 0; i < xv.Length; i++)
        {
            double v = xv[i];
            yv[i] = activation.Kind switch
            {
                ActivationKind.Step => v > 0 ? 1 : 0,
                ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-v)),
                ActivationKind.Tanh => Math.Tanh(v),
                ActivationKind.Relu => v > 0 ? v : 0,
                ActivationKind.LeakyRelu => v > 0 ? v : activation.Slope * v,
                _ => throw new ArgumentOutOfRangeException(nameof(activation)),
            };
        }
    }

    public void ActivationBackward(Activation activation, DeviceSlice x, DeviceSlice y, DeviceSlice dy, DeviceSlice dx)
    {
        var xv = View(x);
        var yv = View(y);
        var dyv = View(dy);
        var dxv = View(dx);
        for (int i = 0; i < xv.Length; i++)
        {
            double derivative = activation.Kind switch
            {
                ActivationKind.Step => 0,
                ActivationKind.Sigmoid => yv[i] * (1 - yv[i]),
                ActivationKind.Tanh => 1 - yv[i] * yv[i],
                ActivationKind.Relu => xv[i] > 0 ? 1 : 0,
                ActivationKind.LeakyRelu => xv[i] > 0 ? 1 : activation.Slope,
                _ => throw new ArgumentOutOfRangeException(nameof(activation)),
            };
            dxv[i] = derivative * dyv[i];
        }
    }

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

    public void DropoutForward(DeviceSlice x, int rows, int cols, int rowOffset, float p, ulong seed, DeviceSlice mask, DeviceSlice y)
    {
        var xv = View(x);
        var mv = View(mask);
        var yv = View(y);
        double scale = p >= 1 ? 0 : 1.0 / (1 - p);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                mv[i] = CounterRng.Uniform(seed, (long)(rowOffset + r) * cols + c) >= p ? scale : 0;
                yv[i] = xv[i] * mv[i];
            }
    }

    public void Multiply(DeviceSlice a, DeviceSlice b, DeviceSlice result)
    {
        var av = View(a);
        var bv = View(b);
        var rv = View(result);
        for (int i = 0; i < rv.Length; i++) rv[i] = av[i] * bv[i];
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

    public void Dispose()
    {
    }

    private static void RequireLength(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"length mismatch: {source} elements into {destination}");
    }
}
