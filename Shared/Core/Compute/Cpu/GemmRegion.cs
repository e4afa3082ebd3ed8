namespace DistTrainer.Core.Compute.Cpu;

/// <summary>The rows [RowStart, RowEnd) and columns [ColumnStart, ColumnEnd) of C that one thread computes.</summary>
internal readonly record struct GemmRegion(int RowStart, int RowEnd, int ColumnStart, int ColumnEnd);
