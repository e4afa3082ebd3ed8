using DistTrainer.Core.Data;

namespace DistTrainer.Core.Tests.Data;

/// <summary>Test access to every feature of a dataset as floats, whatever it stores.</summary>
internal static class DatasetRows
{
    public static float[] AllFeatures(this Dataset data)
    {
        var features = new float[data.Count * data.FeatureCount];
        data.CopyRows(0, features);
        return features;
    }

    /// <summary>What a pixel byte has always become: a float division.</summary>
    public static float[] Scaled(byte[] pixels) => pixels.Select(b => b / 255f).ToArray();

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
