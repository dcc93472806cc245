namespace CertDaemon.Certbot;

/// <summary>A certbot file CertDaemon cannot read; the message names the file and line.</summary>
internal sealed class CertbotConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
