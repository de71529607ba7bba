//! Threads doing work nobody waits for (the search index's rebuild) run below the threads that
//! answer the window, so on a 2-core machine a command or the window's first layout is not
//! queued behind them.

/// The nice value of a background thread (0 is normal, 19 the lowest).
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 10;

/// Lowers the calling thread's scheduling priority: on Linux its own nice value (a thread is a
/// task there), on macOS the utility quality-of-service class. Elsewhere (Windows) the thread
/// keeps the normal priority. Failing is harmless: the work just competes as before.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread's own id; no memory is shared.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, BACKGROUND_NICE);
        }
    }
    #[cfg(target_os = "macos")]
    {
        // SAFETY: sets the calling thread's own QoS class; no memory is shared.
        unsafe {
            libc::pthread_set_qos_class_self_np(libc::qos_class_t::QOS_CLASS_UTILITY, 0);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn a_background_thread_runs_at_a_lower_priority_and_others_do_not() {
        let nice = || {
            // SAFETY: reads the calling thread's own nice value.
            unsafe {
                let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
                libc::getpriority(libc::PRIO_PROCESS, tid)
            }
        };
        let before = nice();
        let lowered = std::thread::spawn(move || {
            super::lower_this_thread();
            nice()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, before + super::BACKGROUND_NICE);
        assert_eq!(nice(), before, "only the thread that asked");
    }
}
