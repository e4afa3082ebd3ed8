namespace DistTrainer.Core.Compute.Reference;

/// <summary>
/// The specification of every backend operation: plain loops in double precision, no
/// vectorisation, no threads. The fast backends are tested against it, and gradient checks run
/// whole models on it. Never used for training. Batch norm and the output layer (softmax and the losses)
/// are in files of their own beside this one.
/// </summary>
public sealed partial class ReferenceBackend : IComputeBackend
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

    public void Dispose()
    {
    }

    private static void RequireLength(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"length mismatch: {source} elements into {destination}");
    }
}
