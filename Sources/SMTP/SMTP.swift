/// The SMTP module owns sending mail: a small client over SwiftNIO that submits one message to a
/// mail server, always over TLS (STARTTLS on a submission port, or TLS from the first byte), with
/// the server's certificate verified and the password sent only once the connection is encrypted;
/// and the message itself (RFC 5322 headers, quoted-printable UTF-8 text). A leaf: it knows nothing
/// of payments or alerts.
public enum SMTP {}
