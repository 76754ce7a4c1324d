#pragma once

/* Socket activation: with ssh.socket active, its ListenStream= decides the port, and sshd
 * runs per connection (sshd -i) without reading Port or ListenAddress. */

/* The socket unit's stream listeners as systemd reports them ("[::]:22", "0.0.0.0:2222"),
 * and the path of a drop-in that would apply after every existing one. */
int sshd_socket_listen(const char *unit, char ***ret, char **ret_dropin);

/* The directory and file of the drop-in sshrepair writes for 'unit'. */
#define SSHD_SOCKET_DROPIN_DIR "/etc/systemd/system/%s.d"
#define SSHD_SOCKET_DROPIN_NAME "zz-sshrepair-port.conf"
