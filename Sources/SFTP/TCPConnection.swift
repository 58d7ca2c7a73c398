import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket opened with a connect timeout (non-blocking connect + poll).
enum TCPConnection {
    static func open(host: String, port: Int, timeout: Duration) throws(SFTPError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw SFTPError(.connect, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            let flags = fcntl(descriptor, F_GETFL)
            _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
            var rc = connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen)
            if rc != 0, errno == EINPROGRESS {
                var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&pollDescriptor, 1, Int32(clamping: timeout.milliseconds))
                if ready == 0 {
                    Glibc.close(descriptor)
                    throw SFTPError(.timeout, "connecting to \(host):\(port) timed out after \(timeout)")
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                rc = ready > 0 && socketError == 0 ? 0 : -1
                if rc != 0 { errno = socketError }
            }
            if rc == 0 {
                _ = fcntl(descriptor, F_SETFL, flags)
                var one: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return descriptor
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(descriptor)
        }
        throw SFTPError(.connect, "cannot connect to \(host):\(port): \(lastError)")
    }
}
