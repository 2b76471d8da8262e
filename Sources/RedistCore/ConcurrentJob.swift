import Foundation

/// Work started on another thread at once; `wait` gives its result (or
/// throws its error) once it is done. The work must only read what it
/// captures, or own it.
public final class ConcurrentJob<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping () throws -> T) {
        let job = UncheckedWork(work: work)
        let thread = Thread { [self] in
            result = Result { try job.work() }
            done.signal()
        }
        thread.stackSize = 8 << 20  // as the main thread's: templates render recursively
        thread.start()
    }

    public func wait() throws -> T {
        done.wait()
        return try result!.get()
    }

    private struct UncheckedWork: @unchecked Sendable { var work: () throws -> T }
}
