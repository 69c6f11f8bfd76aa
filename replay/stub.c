/* placeholder */
int ks_replay_placeholder(void);
int ks_replay_placeholder(void) { return 0; }
