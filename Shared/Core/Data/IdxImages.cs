namespace DistTrainer.Core.Data;

/// <summary>
/// The images of one IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/>
/// pixels, row-major, each pixel the unsigned byte the file holds (<see cref="PixelScale"/> makes it a float).
/// </summary>
public sealed record IdxImages(int Count, int Rows, int Columns, ReadOnlyMemory<byte> Pixels)
{
    public int PixelsPerImage => Rows * Columns;
}
