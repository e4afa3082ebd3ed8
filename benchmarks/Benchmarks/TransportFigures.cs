namespace DistTrainer.Benchmarks;

/// <summary>What the data-plane benchmark measures of a transport at one payload size.</summary>
public sealed record TransportFigures(double GigabytesPerSecond, double RoundTripMicroseconds);
