namespace DistTrainer.Core;

/// <summary>
/// Bad input from a user or from disk: a file, a spec, an option. The message names the input and
/// what is wrong with it, on one line, so that a command line can print it and exit with code 2.
/// </summary>
public sealed class InvalidInputException(string message, Exception? inner = null) : Exception(message, inner);
