# Settings for the notebook server that Binder or a JupyterHub starts for each student
# (binder/start puts this folder on JUPYTER_CONFIG_PATH). TEACHING.md explains the numbers.
c = get_config()  # noqa: F821 - provided by Jupyter when it reads this file

# Shut down a kernel that has run nothing for 30 minutes, whether or not its tab is still open:
# a lesson's kernel holds 125 to 290 MiB, and a student who moved on to the next notebook
# would otherwise keep the last one's. A culled notebook keeps its outputs; Run All brings it back.
c.MappingKernelManager.cull_idle_timeout = 1800
c.MappingKernelManager.cull_interval = 300
c.MappingKernelManager.cull_connected = True
c.MappingKernelManager.cull_busy = False  # never a kernel that is still training
