namespace DistTrainer.Core.Data;

/// <summary>
/// The images of one IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/>
/// pixels, row-major, each pixel scaled from its byte to [0, 1].
/// </summary>
public sealed record IdxImages(int Count, int Rows, int Columns, float[] Pixels)
{
    public int PixelsPerImage => Rows * Columns;
}
